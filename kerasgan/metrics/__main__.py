"""`python -m kerasgan.metrics [SOURCE]`: fetches, converts and caches the FID Inception weights."""

from kerasgan.metrics.inception import main

main()
