-- title: Changes to model-invocation logging
-- question: Who turned Bedrock model-invocation logging on, changed it or tried to turn it off?
-- role: auditor
SELECT eventtime, recipientaccountid AS account, awsregion AS region, useridentity.arn AS principal, eventname, errorcode
FROM cloudtrail
WHERE eventsource = 'bedrock.amazonaws.com'
  AND eventname IN ('PutModelInvocationLoggingConfiguration', 'DeleteModelInvocationLoggingConfiguration')
ORDER BY eventtime DESC
