"""The project's spiders: offres_search, referentiels, offres_detail."""

# Finish reason of a spider refusing its arguments before any request (exit code 1).
BAD_ARGUMENT = "offres_bad_argument"
