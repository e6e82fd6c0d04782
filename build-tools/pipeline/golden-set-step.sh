#!/usr/bin/env bash
# The pipeline's golden-set step before the tenant's stage (stacks/pipeline/golden-set-step.ts, docs/adr/0034 and 0038),
# run by its CodeBuild project from the project's root after `npm ci`:
#
#   bash build-tools/pipeline/golden-set-step.sh            the step: reads the deployed tenant stack's outputs through
#                                                           $LOOKUP_ROLE_ARN, runs bench:quality against its knowledge
#                                                           base and Bedrock as $EVALUATION_ROLE_ARN into golden-set/,
#                                                           then the gate on golden-set/quality-bedrock.json
#   bash build-tools/pipeline/golden-set-step.sh gate FILE   the gate alone on a bench:quality report (the step's last phase)
#
# Environment (set by the step): GOVERNANCE_CONFIG, TENANT_STACK, TENANT_REGION, LOOKUP_ROLE_ARN, EVALUATION_ROLE_ARN.
# Exit 0: released (or the tenant stack's first release: nothing to evaluate); 1: a threshold missed, a run that was not
# against Bedrock, a role that cannot be assumed, a stack that cannot be read or a bench that failed; 2: a report or a
# config that cannot be read (the gate's own status).
set -u
cd "$(dirname "$0")/../.."

gate() {
  node_modules/.bin/ts-node --transpile-only -P tsconfig.json stacks/pipeline/golden-set-gate-cli.ts --report "$1"
}

if [ "${1:-}" = gate ]; then
  if [ $# -ne 2 ]; then echo "usage: golden-set-step.sh gate FILE" >&2; exit 2; fi
  gate "$2"
  exit $?
fi
if [ $# -ne 0 ]; then echo "usage: golden-set-step.sh [gate FILE]" >&2; exit 2; fi

mkdir -p golden-set
assume() { aws sts assume-role --role-arn "$1" --role-session-name golden-set --query Credentials --output json; }
with_creds() {
  creds="$1"; shift
  AWS_ACCESS_KEY_ID="$(node -p "JSON.parse(process.argv[1]).AccessKeyId" "$creds")" \
  AWS_SECRET_ACCESS_KEY="$(node -p "JSON.parse(process.argv[1]).SecretAccessKey" "$creds")" \
  AWS_SESSION_TOKEN="$(node -p "JSON.parse(process.argv[1]).SessionToken" "$creds")" "$@"
}
# One output of the deployed tenant stack, or the empty string.
output() { node -p 'String((require("./outputs.json").find((o) => o.OutputKey === process.argv[1]) || {}).OutputValue || "")' "$1"; }

lookup="$(assume "$LOOKUP_ROLE_ARN")" || { echo "Cannot assume $LOOKUP_ROLE_ARN"; exit 1; }
if ! with_creds "$lookup" aws cloudformation describe-stacks --region "$TENANT_REGION" --stack-name "$TENANT_STACK" --query "Stacks[0].Outputs" --output json > outputs.json 2> describe.err; then
  if grep -q "does not exist" describe.err; then
    echo "$TENANT_STACK is not deployed yet: its first release has no knowledge base to evaluate; the golden set runs from the next release on" | tee golden-set/first-release.txt
    exit 0
  fi
  cat describe.err; exit 1
fi
evaluation="$(assume "$EVALUATION_ROLE_ARN")" || { echo "Cannot assume $EVALUATION_ROLE_ARN"; exit 1; }
rerank="$(output GoldenSetRerankModelArn)"
with_creds "$evaluation" npx projen bench:quality -- --region "$TENANT_REGION" --knowledge-base-id "$(output GoldenSetKnowledgeBaseId)" \
  --classifier-model-id "$(output GoldenSetClassifierModelId)" --guardrail-id "$(output GoldenSetGuardrailArn)" \
  --guardrail-version "$(output GoldenSetGuardrailVersion)" ${rerank:+--rerank-model-arn "$rerank"} --out golden-set || exit 1
gate golden-set/quality-bedrock.json
