"""The sandbox AWS account: moto behind the labtui gateway (design.md §4).

Importing this package is cheap: moto and boto3 load when a sandbox starts.
"""

from labtui.account.sandbox import Sandbox

__all__ = ["Sandbox"]
