"""The integration suite: the sample app deployed with the real CDK CLI against a local,
patched moto server (``deploy_local``), and the proof that each moto patch is still needed.

Every test here carries the ``integ`` marker (``conftest.py``): ``make unit`` leaves them
out (``pytest -m "not integ"``), ``make integ`` runs only them, ``make test`` runs both.
"""
