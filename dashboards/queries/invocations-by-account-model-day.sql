-- title: Invocations and tokens by account, model and day
-- question: How much did each account use each model, day by day?
-- role: auditor
SELECT accountid AS account, modelid AS model, CAST(from_iso8601_timestamp("timestamp") AS DATE) AS day,
       count(*) AS invocations,
       sum(input.inputtokencount) AS input_tokens,
       sum(output.outputtokencount) AS output_tokens
FROM invocation_logs
GROUP BY accountid, modelid, CAST(from_iso8601_timestamp("timestamp") AS DATE)
ORDER BY day, account, model
