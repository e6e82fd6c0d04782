-- title: Changes to SCPs, RCPs and the Bedrock policy
-- question: Who created, changed, attached, detached or deleted an Organizations policy?
-- role: auditor
SELECT eventtime, useridentity.arn AS principal, eventname,
       json_extract_scalar(requestparameters, '$.policyId') AS policy,
       json_extract_scalar(requestparameters, '$.targetId') AS target, errorcode
FROM cloudtrail
WHERE eventsource = 'organizations.amazonaws.com'
  AND eventname IN ('CreatePolicy', 'UpdatePolicy', 'DeletePolicy', 'AttachPolicy', 'DetachPolicy',
                    'EnablePolicyType', 'DisablePolicyType')
ORDER BY eventtime DESC
