"""Give search-indexer 200: less than the 250 it asked for, surely that fits in 1,000?"""

import boto3

lambda_client = boto3.client("lambda")
try:
    lambda_client.put_function_concurrency(
        FunctionName="search-indexer", ReservedConcurrentExecutions=200
    )
    print("reserved 200 for search-indexer")
except lambda_client.exceptions.InvalidParameterValueException as error:
    print("AWS refused:", error)
