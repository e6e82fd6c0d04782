-- title: Root and break-glass activity
-- question: What did root users and the break-glass role do, in which account?
-- role: auditor
SELECT eventtime, recipientaccountid AS account, awsregion AS region, useridentity.type AS identity_type,
       useridentity.arn AS principal, eventsource, eventname, errorcode
FROM cloudtrail
WHERE useridentity.type = 'Root'
   OR useridentity.sessioncontext.sessionissuer.arn LIKE '%:role/{{break_glass_role}}'
ORDER BY eventtime DESC
