"""Project commands (COMMANDS_MODULE): `crawl` with exit codes that tell how the run ended."""
