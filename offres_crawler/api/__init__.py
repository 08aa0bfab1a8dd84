"""Former home of the API knowledge, kept so that documented imports of earlier versions work:
`offres_crawler.api.content_range`, `offres_crawler.api.dates`, `offres_crawler.api.salary`.
New code imports from `offres_crawler.harvest` and `offres_crawler.analysis`."""
