-- title: Guardrail interventions
-- question: Which invocations did the guardrail block or mask, in which account, for which model?
-- role: investigator
SELECT "timestamp", accountid AS account, region, modelid AS model, identity.arn AS principal, requestid
FROM invocation_log_bodies
WHERE json_extract_scalar(output.outputbodyjson, '$.stopReason') = 'guardrail_intervened'
   OR regexp_like(output.outputbodyjson, '"amazon-bedrock-guardrailAction"\s*:\s*"INTERVENED"')
ORDER BY "timestamp" DESC
