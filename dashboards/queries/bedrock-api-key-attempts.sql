-- title: Bedrock API-key attempts
-- question: Who created or tried to create long-term Bedrock API keys (IAM service-specific credentials for Bedrock)?
-- role: auditor
SELECT eventtime, recipientaccountid AS account, useridentity.arn AS principal, eventname,
       json_extract_scalar(requestparameters, '$.userName') AS iam_user, errorcode
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname IN ('CreateServiceSpecificCredential', 'UpdateServiceSpecificCredential', 'ResetServiceSpecificCredential')
  AND json_extract_scalar(requestparameters, '$.serviceName') = 'bedrock.amazonaws.com'
ORDER BY eventtime DESC
