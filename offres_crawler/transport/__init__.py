"""Transport: how a request reaches the API and an answer comes back usable.

Framework-free rules (unit-tested without Scrapy): the access token's clock (token_clock) and
its OAuth2 exchange (token_exchange), the request pace (pacer), backoff and `Retry-After`
(backoff), not-before times of delayed requests (delays), the `X-Ratelimit-*` headers
(rate_headers), the API's error bodies (api_error), the endpoints credentials may be sent to
(endpoints).

Scrapy glue for them: the download handler that paces requests and writes the token at send
time (handler), the downloader middlewares (token_middleware, ratelimit, retry), the scheduler
that holds retries until their backoff is over (scheduler), the spider middleware that refuses
unsafe endpoints before any request (endpoint_check), certificate verification (tls), and the
per-crawler objects they share (token_source, pacing, failures, api_target, failure_reasons).

May import: the standard library, oauthlib, `offres_crawler.transport`,
`offres_crawler.redaction` (secrets masked, outside text made safe) and, in the glue modules
only, Scrapy, Twisted (with pyOpenSSL and zope.interface, its TLS layer) and
`offres_crawler.per_crawler`.
"""
