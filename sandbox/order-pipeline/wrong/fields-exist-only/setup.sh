#!/usr/bin/env bash
# The order pipeline, stage by stage (run from this folder; each stage builds on the last).
set -euo pipefail
REGION=us-east-1
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
deploy() {  # deploy <function> <folder>: zip the folder's code and wait for the update
  (cd "$2" && zip -q -r "../$1.zip" .)
  aws lambda update-function-code --function-name "$1" --zip-file "fileb://$1.zip" > /dev/null
  aws lambda wait function-updated-v2 --function-name "$1"
}
queue_url() { aws sqs get-queue-url --queue-name "$1" --query QueueUrl --output text; }
queue_arn() { echo "arn:aws:sqs:$REGION:$ACCOUNT:$1"; }

# Stage 1: the API answers 400 on bad input; its URL needs signed (IAM) callers (R-2.1, R-8.4).
deploy orders-api api
aws lambda create-function-url-config --function-name orders-api --qualifier prod \
  --auth-type AWS_IAM > /dev/null

# Stage 2: the DLQ belongs to the queue; visibility 6 x the worker's 30 s timeout (R-4.2, R-4.3).
cat > queue-attributes.json <<JSON
{
  "RedrivePolicy": "{\"deadLetterTargetArn\":\"$(queue_arn orders-dlq)\",\"maxReceiveCount\":\"3\"}",
  "VisibilityTimeout": "180"
}
JSON
aws sqs set-queue-attributes --queue-url "$(queue_url orders-queue)" \
  --attributes file://queue-attributes.json

# Stage 3: the handler names failed messages; the mapping reads them (R-4.4).
deploy order-worker worker
UUID=$(aws lambda list-event-source-mappings --function-name order-worker \
  --query 'EventSourceMappings[0].UUID' --output text)
aws lambda update-event-source-mapping --uuid "$UUID" --batch-size 10 \
  --function-response-types ReportBatchItemFailures > /dev/null

# Stage 4: two private subnets, lambda-sg; db-sg admits lambda-sg by reference (R-7.4, R-7.6);
# endpoints for Secrets Manager, Lambda and DynamoDB (R-7.3, R-7.7).
subnet() { aws ec2 describe-subnets --filters "Name=tag:Name,Values=$1" \
  --query 'Subnets[0].SubnetId' --output text; }
group() { aws ec2 describe-security-groups --filters "Name=group-name,Values=$1" \
  --query 'SecurityGroups[0].GroupId' --output text; }
LAMBDA_SG=$(group lambda-sg)
aws ec2 authorize-security-group-ingress --group-id "$(group db-sg)" \
  --protocol tcp --port 5432 --source-group "$LAMBDA_SG" > /dev/null
aws iam attach-role-policy --role-name order-worker-role \
  --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole
aws lambda update-function-configuration --function-name order-worker \
  --vpc-config "SubnetIds=$(subnet private-a),$(subnet private-b),SecurityGroupIds=$LAMBDA_SG" \
  > /dev/null
aws lambda wait function-updated-v2 --function-name order-worker

# The worker has no internet path in private subnets: endpoints for what it calls (R-7.3).
VPC=$(aws ec2 describe-vpcs --filters Name=tag:Name,Values=lab-vpc --query 'Vpcs[0].VpcId' --output text)
PRIVATE_RT=$(aws ec2 describe-route-tables --filters Name=tag:Name,Values=private-rt \
  --query 'RouteTables[0].RouteTableId' --output text)
ENDPOINT_SG=$(aws ec2 create-security-group --group-name endpoint-sg --vpc-id "$VPC" \
  --description "interface endpoints: 443 from lambda-sg" --query GroupId --output text)
aws ec2 authorize-security-group-ingress --group-id "$ENDPOINT_SG" \
  --protocol tcp --port 443 --source-group "$LAMBDA_SG" > /dev/null
for SERVICE in secretsmanager lambda; do
  aws ec2 create-vpc-endpoint --vpc-id "$VPC" --vpc-endpoint-type Interface \
    --service-name "com.amazonaws.$REGION.$SERVICE" --private-dns-enabled \
    --subnet-ids "$(subnet private-a)" "$(subnet private-b)" \
    --security-group-ids "$ENDPOINT_SG" > /dev/null
done
aws ec2 create-vpc-endpoint --vpc-id "$VPC" --vpc-endpoint-type Gateway \
  --service-name "com.amazonaws.$REGION.dynamodb" --route-table-ids "$PRIVATE_RT" > /dev/null

# Stage 5: only the secret's name in the environment; the role gets what the code calls (R-8.5, R-8.6).
SECRET_ARN=$(aws secretsmanager describe-secret --secret-id prod/orders/db --query ARN --output text)
aws lambda update-function-configuration --function-name order-worker \
  --environment 'Variables={SECRET_ID=prod/orders/db}' > /dev/null
aws lambda wait function-updated-v2 --function-name order-worker
aws iam detach-role-policy --role-name order-worker-role \
  --policy-arn arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess
cat > worker-policy.json <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "$SECRET_ARN"},
    {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": [
      "arn:aws:dynamodb:$REGION:$ACCOUNT:table/orders-db",
      "arn:aws:dynamodb:$REGION:$ACCOUNT:table/processed-events"]},
    {"Effect": "Allow", "Action": "lambda:InvokeFunction",
     "Resource": "arn:aws:lambda:$REGION:$ACCOUNT:function:order-notifier"}
  ]
}
JSON
aws iam put-role-policy --role-name order-worker-role --policy-name order-worker-access \
  --policy-document file://worker-policy.json
cat > api-policy.json <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"],
     "Resource": "$(queue_arn orders-queue)"}
  ]
}
JSON
aws iam put-role-policy --role-name orders-api-role --policy-name enqueue-orders \
  --policy-document file://api-policy.json

# Stage 6: destinations on the notifier; its role sends to both (R-3.7). Idempotency is in
# worker/app.py (a conditional put in processed-events, R-12.1).
BUS_ARN=$(aws events create-event-bus --name orders-bus --query EventBusArn --output text)
aws lambda put-function-event-invoke-config --function-name order-notifier \
  --destination-config "{\"OnSuccess\":{\"Destination\":\"$BUS_ARN\"},\"OnFailure\":{\"Destination\":\"$(queue_arn notify-failures)\"}}" \
  > /dev/null
cat > notifier-policy.json <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "events:PutEvents", "Resource": "$BUS_ARN"},
    {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "$(queue_arn notify-failures)"}
  ]
}
JSON
aws iam put-role-policy --role-name order-notifier-role --policy-name notifier-destinations \
  --policy-document file://notifier-policy.json

# Stage 7: at most 50 workers at once, so orders-db's connections last (R-5.3).
aws lambda put-function-concurrency --function-name order-worker \
  --reserved-concurrent-executions 50 > /dev/null

# Stage 8: the new API is version 2; prod stays on 1 and sends it 10% (R-9.1, R-9.2).
VERSION=$(aws lambda publish-version --function-name orders-api --query Version --output text)
aws lambda update-alias --function-name orders-api --name prod --function-version 1 \
  --routing-config "AdditionalVersionWeights={$VERSION=0.1}" > /dev/null

# Stage 9: alarms that would stop a canary or page someone (R-9.3).
alarm() {  # alarm <name> <namespace> <metric> <dimension>
  aws cloudwatch put-metric-alarm --alarm-name "$1" --namespace "$2" --metric-name "$3" \
    --dimensions "$4" --statistic Sum --period 60 --evaluation-periods 1 --threshold 1 \
    --comparison-operator GreaterThanOrEqualToThreshold
}
alarm order-worker-errors AWS/Lambda Errors Name=FunctionName,Value=order-worker
alarm order-worker-throttles AWS/Lambda Throttles Name=FunctionName,Value=order-worker
alarm orders-dlq-depth AWS/SQS ApproximateNumberOfMessagesVisible Name=QueueName,Value=orders-dlq
