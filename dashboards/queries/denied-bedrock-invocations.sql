-- title: Denied Bedrock calls
-- question: Which direct, unapproved or out-of-Region Bedrock calls did the controls block, by whom and where?
-- role: auditor
SELECT eventtime, recipientaccountid AS account, awsregion AS region, useridentity.arn AS principal,
       eventname, errorcode, errormessage
FROM cloudtrail
WHERE eventsource = 'bedrock.amazonaws.com'
  AND errorcode IN ('AccessDenied', 'AccessDeniedException')
ORDER BY eventtime DESC
