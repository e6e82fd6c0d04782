-- title: Regions that served cross-Region inference
-- question: In which Regions were prompts processed (data residency evidence), per source Region and model?
-- role: auditor
SELECT awsregion AS source_region,
       json_extract_scalar(additionaleventdata, '$.inferenceRegion') AS inference_region,
       json_extract_scalar(requestparameters, '$.modelId') AS model,
       count(*) AS calls
FROM cloudtrail
WHERE eventsource = 'bedrock.amazonaws.com'
  AND eventname IN ('InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream')
  AND errorcode IS NULL
GROUP BY 1, 2, 3
ORDER BY calls DESC
