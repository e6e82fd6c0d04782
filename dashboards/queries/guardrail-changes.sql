-- title: Changes to guardrails and their enforcement
-- question: Who created, changed, versioned or deleted a guardrail, its resource policy or its enforcement?
-- role: auditor
SELECT eventtime, recipientaccountid AS account, awsregion AS region, useridentity.arn AS principal, eventname, errorcode
FROM cloudtrail
WHERE eventsource = 'bedrock.amazonaws.com'
  AND eventname IN ('CreateGuardrail', 'UpdateGuardrail', 'DeleteGuardrail', 'CreateGuardrailVersion',
                    'PutResourcePolicy', 'DeleteResourcePolicy',
                    'PutEnforcedGuardrailConfiguration', 'DeleteEnforcedGuardrailConfiguration')
ORDER BY eventtime DESC
