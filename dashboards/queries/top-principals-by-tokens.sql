-- title: Top principals by tokens
-- question: Which principals used the most tokens, and on how many models?
-- role: auditor
SELECT identity.arn AS principal, accountid AS account,
       sum(input.inputtokencount) + sum(output.outputtokencount) AS tokens,
       count(*) AS invocations, count(DISTINCT modelid) AS models
FROM invocation_logs
GROUP BY identity.arn, accountid
ORDER BY tokens DESC
LIMIT 20
