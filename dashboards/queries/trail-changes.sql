-- title: Changes to trails
-- question: Who stopped, deleted or changed a trail or its event selectors?
-- role: auditor
SELECT eventtime, recipientaccountid AS account, awsregion AS region, useridentity.arn AS principal, eventname,
       json_extract_scalar(requestparameters, '$.name') AS trail, errorcode
FROM cloudtrail
WHERE eventsource = 'cloudtrail.amazonaws.com'
  AND eventname IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors', 'CreateTrail', 'StartLogging')
ORDER BY eventtime DESC
