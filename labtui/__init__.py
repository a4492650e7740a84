"""labtui: learn AWS Lambda by doing, in a terminal.

The package root stays cheap to import: nothing here pulls in textual, moto
or boto3 (a test checks this).
"""

__version__ = "0.1.0"
