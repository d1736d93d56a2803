"""The client messages of the Live API as data: every message type, its fields (camelCase) and
their kinds, and every enum's values. The local server refuses anything else with the service's
own 1007 "Invalid JSON payload received. ..." (see schema_check.py).

Generated from the official SDK's pydantic types (google-genai 3.6), which are the schema
oracle: tests/server/test_client_schema.py regenerates this table from the SDK and fails on any
difference. Two additions the SDK's types lack but its own converter sends:
`LiveClientSetup.realtimeInputConfig` and `LiveClientSetup.tools` as a list of `Tool`.
"""

# ruff: noqa: E501
# fmt: off

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """What a field holds: a scalar ("str", "int", "number", "bool", "bytes", "any", "struct"),
    a message ("msg", `target` its type), a map of messages ("map") or an enum ("enum")."""

    name: str
    target: str = ""
    repeated: bool = False


STR, INT, NUM, BOOL = Kind("str"), Kind("int"), Kind("number"), Kind("bool")
BYTES = Kind("bytes")  # base64 text in JSON
ANY = Kind("any")  # any JSON value (google.protobuf.Value)
STRUCT = Kind("struct")  # any JSON object (google.protobuf.Struct: function args, responses)


def M(target: str) -> Kind:
    return Kind("msg", target)


def MAP(target: str) -> Kind:
    return Kind("map", target)


def E(target: str) -> Kind:
    return Kind("enum", target)


def LIST(kind: Kind) -> Kind:
    return Kind(kind.name, kind.target, repeated=True)


ROOT = "LiveClientMessage"

MESSAGES: dict[str, dict[str, Kind]] = {
    "ActivityEnd": {},
    "ActivityStart": {},
    "ApiAuth": {"apiKeyConfig": M("ApiAuthApiKeyConfig")},
    "ApiAuthApiKeyConfig": {"apiKeySecretVersion": STR, "apiKeyString": STR},
    "ApiKeyConfig": {"apiKeySecret": STR, "apiKeyString": STR, "httpElementLocation": E("HttpElementLocation"), "name": STR},
    "AudioMetadata": {"startOffset": STR, "endOffset": STR},
    "AudioResponseFormat": {"bitRate": INT, "delivery": E("Delivery"), "mimeType": STR, "sampleRate": INT},
    "AudioTranscriptionConfig": {"languageCodes": LIST(STR), "languageAuto": M("LanguageAuto"), "languageHints": M("LanguageHints"), "customVocabulary": LIST(STR), "adaptationPhrases": LIST(STR), "wordTimestamp": BOOL, "diarization": BOOL, "mode": E("AudioTranscriptionConfigMode"), "sourceText": STR},
    "AuthConfig": {"apiKey": STR, "apiKeyConfig": M("ApiKeyConfig"), "authType": E("AuthType"), "googleServiceAccountConfig": M("AuthConfigGoogleServiceAccountConfig"), "httpBasicAuthConfig": M("AuthConfigHttpBasicAuthConfig"), "oauthConfig": M("AuthConfigOauthConfig"), "oidcConfig": M("AuthConfigOidcConfig")},
    "AuthConfigGoogleServiceAccountConfig": {"serviceAccount": STR},
    "AuthConfigHttpBasicAuthConfig": {"credentialSecret": STR},
    "AuthConfigOauthConfig": {"accessToken": STR, "serviceAccount": STR},
    "AuthConfigOidcConfig": {"idToken": STR, "serviceAccount": STR},
    "AutomaticActivityDetection": {"disabled": BOOL, "startOfSpeechSensitivity": E("StartSensitivity"), "endOfSpeechSensitivity": E("EndSensitivity"), "prefixPaddingMs": INT, "silenceDurationMs": INT},
    "AvatarConfig": {"avatarName": STR, "customizedAvatar": M("CustomizedAvatar"), "audioBitrateBps": INT, "videoBitrateBps": INT},
    "Blob": {"data": BYTES, "displayName": STR, "mimeType": STR},
    "CodeExecutionResult": {"outcome": E("Outcome"), "output": STR, "id": STR},
    "ComputerUse": {"environment": E("Environment"), "excludedPredefinedFunctions": LIST(STR), "enablePromptInjectionDetection": BOOL, "disabledSafetyPolicies": LIST(E("SafetyPolicy"))},
    "Content": {"parts": LIST(M("Part")), "role": STR},
    "ContextWindowCompressionConfig": {"triggerTokens": INT, "slidingWindow": M("SlidingWindow")},
    "CustomizedAvatar": {"imageMimeType": STR, "imageData": BYTES},
    "DocumentMetadata": {"startPage": INT, "endPage": INT, "contentLayers": LIST(E("DocumentMetadataContentLayer"))},
    "DynamicRetrievalConfig": {"dynamicThreshold": NUM, "mode": E("DynamicRetrievalConfigMode")},
    "EnterpriseWebSearch": {"blockingConfidence": E("PhishBlockThreshold"), "excludeDomains": LIST(STR)},
    "ExecutableCode": {"code": STR, "language": E("Language"), "id": STR},
    "ExternalApi": {"apiAuth": M("ApiAuth"), "apiSpec": E("ApiSpec"), "authConfig": M("AuthConfig"), "elasticSearchParams": M("ExternalApiElasticSearchParams"), "endpoint": STR, "simpleSearchParams": M("ExternalApiSimpleSearchParams")},
    "ExternalApiElasticSearchParams": {"index": STR, "numHits": INT, "searchTemplate": STR},
    "ExternalApiSimpleSearchParams": {},
    "FileData": {"displayName": STR, "fileUri": STR, "mimeType": STR},
    "FileSearch": {"fileSearchStoreNames": LIST(STR), "topK": INT, "metadataFilter": STR},
    "FunctionCall": {"id": STR, "args": STRUCT, "name": STR, "partialArgs": LIST(M("PartialArg")), "willContinue": BOOL},
    "FunctionDeclaration": {"description": STR, "name": STR, "parameters": M("Schema"), "parametersJsonSchema": ANY, "response": M("Schema"), "responseJsonSchema": ANY, "behavior": E("Behavior")},
    "FunctionResponse": {"willContinue": BOOL, "scheduling": E("FunctionResponseScheduling"), "parts": LIST(M("FunctionResponsePart")), "id": STR, "name": STR, "response": STRUCT},
    "FunctionResponseBlob": {"mimeType": STR, "data": BYTES, "displayName": STR},
    "FunctionResponseFileData": {"fileUri": STR, "mimeType": STR, "displayName": STR},
    "FunctionResponsePart": {"inlineData": M("FunctionResponseBlob"), "fileData": M("FunctionResponseFileData"), "mediaProcessing": E("MediaProcessing"), "mediaResolution": M("PartMediaResolution"), "videoMetadata": M("VideoMetadata"), "documentMetadata": M("DocumentMetadata"), "spreadsheetMetadata": M("SpreadsheetMetadata"), "audioMetadata": M("AudioMetadata")},
    "GenerationConfig": {"modelSelectionConfig": M("ModelSelectionConfig"), "responseJsonSchema": ANY, "audioTimestamp": BOOL, "candidateCount": INT, "enableAffectiveDialog": BOOL, "frequencyPenalty": NUM, "logprobs": INT, "maxOutputTokens": INT, "mediaResolution": E("MediaResolution"), "presencePenalty": NUM, "responseLogprobs": BOOL, "responseMimeType": STR, "responseModalities": LIST(E("Modality")), "responseSchema": M("Schema"), "routingConfig": M("GenerationConfigRoutingConfig"), "seed": INT, "speechConfig": M("SpeechConfig"), "stopSequences": LIST(STR), "temperature": NUM, "thinkingConfig": M("ThinkingConfig"), "topK": NUM, "topP": NUM, "enableEnhancedCivicAnswers": BOOL, "responseFormat": LIST(M("ResponseFormat")), "translationConfig": M("TranslationConfig"), "audioTranscriptionConfig": M("AudioTranscriptionConfig")},
    "GenerationConfigRoutingConfig": {"autoMode": M("GenerationConfigRoutingConfigAutoRoutingMode"), "manualMode": M("GenerationConfigRoutingConfigManualRoutingMode")},
    "GenerationConfigRoutingConfigAutoRoutingMode": {"modelRoutingPreference": ANY},
    "GenerationConfigRoutingConfigManualRoutingMode": {"modelName": STR},
    "GoogleMaps": {"authConfig": M("AuthConfig"), "enableWidget": BOOL, "groundingTypes": M("GoogleMapsGroundingTypes")},
    "GoogleMapsGroundingTypes": {"places": M("GoogleMapsPlaces"), "routing": M("GoogleMapsRouting")},
    "GoogleMapsPlaces": {},
    "GoogleMapsRouting": {},
    "GoogleSearch": {"searchTypes": M("SearchTypes"), "blockingConfidence": E("PhishBlockThreshold"), "excludeDomains": LIST(STR), "timeRangeFilter": M("Interval")},
    "GoogleSearchRetrieval": {"dynamicRetrievalConfig": M("DynamicRetrievalConfig")},
    "HistoryConfig": {"initialHistoryInClientContent": BOOL},
    "ImageResponseFormat": {"aspectRatio": E("AspectRatio"), "delivery": E("Delivery"), "imageSize": E("ImageSize"), "mimeType": STR},
    "ImageSearch": {},
    "Interval": {"endTime": STR, "startTime": STR},
    "LanguageAuto": {},
    "LanguageHints": {"languageCodes": LIST(STR)},
    "LiveClientContent": {"turns": LIST(M("Content")), "turnComplete": BOOL},
    "LiveClientContextUpdate": {"systemInstruction": M("Content"), "tools": M("LiveClientContextUpdateTools")},
    "LiveClientContextUpdateTools": {"tools": ANY},
    "LiveClientMessage": {"setup": M("LiveClientSetup"), "clientContent": M("LiveClientContent"), "realtimeInput": M("LiveClientRealtimeInput"), "toolResponse": M("LiveClientToolResponse"), "contextUpdate": M("LiveClientContextUpdate")},
    "LiveClientRealtimeInput": {"mediaChunks": LIST(M("Blob")), "audio": M("Blob"), "audioStreamEnd": BOOL, "video": M("Blob"), "text": STR, "activityStart": M("ActivityStart"), "activityEnd": M("ActivityEnd")},
    "LiveClientSetup": {"model": STR, "generationConfig": M("GenerationConfig"), "systemInstruction": M("Content"), "tools": LIST(M("Tool")), "sessionResumption": M("SessionResumptionConfig"), "contextWindowCompression": M("ContextWindowCompressionConfig"), "inputAudioTranscription": M("AudioTranscriptionConfig"), "outputAudioTranscription": M("AudioTranscriptionConfig"), "proactivity": M("ProactivityConfig"), "explicitVadSignal": BOOL, "historyConfig": M("HistoryConfig"), "avatarConfig": M("AvatarConfig"), "safetySettings": LIST(M("SafetySetting")), "labels": STRUCT, "realtimeInputConfig": M("RealtimeInputConfig")},
    "LiveClientToolResponse": {"functionResponses": LIST(M("FunctionResponse"))},
    "McpServer": {"name": STR, "streamableHttpTransport": M("StreamableHttpTransport")},
    "ModelSelectionConfig": {"featureSelectionPreference": E("FeatureSelectionPreference")},
    "MultiSpeakerVoiceConfig": {"speakerVoiceConfigs": LIST(M("SpeakerVoiceConfig"))},
    "Part": {"mediaResolution": M("PartMediaResolution"), "codeExecutionResult": M("CodeExecutionResult"), "executableCode": M("ExecutableCode"), "fileData": M("FileData"), "functionCall": M("FunctionCall"), "functionResponse": M("FunctionResponse"), "inlineData": M("Blob"), "text": STR, "thought": BOOL, "thoughtSignature": BYTES, "videoMetadata": M("VideoMetadata"), "toolCall": M("ToolCall"), "toolResponse": M("ToolResponse"), "partMetadata": STRUCT, "audioTranscription": M("Transcription"), "mediaProcessing": E("MediaProcessing"), "speechMetadata": M("SpeechMetadata"), "documentMetadata": M("DocumentMetadata"), "spreadsheetMetadata": M("SpreadsheetMetadata"), "audioMetadata": M("AudioMetadata")},
    "PartMediaResolution": {"level": E("PartMediaResolutionLevel"), "numTokens": INT},
    "PartialArg": {"boolValue": BOOL, "jsonPath": STR, "nullValue": ANY, "numberValue": NUM, "stringValue": STR, "willContinue": BOOL},
    "PrebuiltVoiceConfig": {"voiceName": STR},
    "ProactivityConfig": {"proactiveAudio": BOOL, "proactiveVideo": BOOL},
    "RagRetrievalConfig": {"filter": M("RagRetrievalConfigFilter"), "hybridSearch": M("RagRetrievalConfigHybridSearch"), "ranking": M("RagRetrievalConfigRanking"), "topK": INT},
    "RagRetrievalConfigFilter": {"metadataFilter": STR, "vectorDistanceThreshold": NUM, "vectorSimilarityThreshold": NUM},
    "RagRetrievalConfigHybridSearch": {"alpha": NUM},
    "RagRetrievalConfigRanking": {"llmRanker": M("RagRetrievalConfigRankingLlmRanker"), "rankService": M("RagRetrievalConfigRankingRankService")},
    "RagRetrievalConfigRankingLlmRanker": {"modelName": STR},
    "RagRetrievalConfigRankingRankService": {"modelName": STR},
    "RealtimeInputConfig": {"automaticActivityDetection": M("AutomaticActivityDetection"), "activityHandling": E("ActivityHandling"), "turnCoverage": E("TurnCoverage"), "interimTranscriptTimestampEnabled": BOOL},
    "ReplicatedVoiceConfig": {"mimeType": STR, "voiceSampleAudio": BYTES, "consentAudio": BYTES, "voiceConsentSignature": M("VoiceConsentSignature")},
    "ResponseFormat": {"audio": M("AudioResponseFormat"), "image": M("ImageResponseFormat"), "text": M("TextResponseFormat"), "video": M("VideoResponseFormat")},
    "Retrieval": {"disableAttribution": BOOL, "externalApi": M("ExternalApi"), "vertexAiSearch": M("VertexAISearch"), "vertexRagStore": M("VertexRagStore")},
    "SafetySetting": {"category": E("HarmCategory"), "method": E("HarmBlockMethod"), "threshold": E("HarmBlockThreshold")},
    "Schema": {"additionalProperties": ANY, "defs": MAP("Schema"), "ref": STR, "anyOf": LIST(M("Schema")), "default": ANY, "description": STR, "enum": LIST(STR), "example": ANY, "format": STR, "items": M("Schema"), "maxItems": INT, "maxLength": INT, "maxProperties": INT, "maximum": NUM, "minItems": INT, "minLength": INT, "minProperties": INT, "minimum": NUM, "nullable": BOOL, "pattern": STR, "properties": MAP("Schema"), "propertyOrdering": LIST(STR), "required": LIST(STR), "title": STR, "type": E("Type")},
    "SearchTypes": {"webSearch": M("WebSearch"), "imageSearch": M("ImageSearch")},
    "SessionResumptionConfig": {"handle": STR, "transparent": BOOL},
    "SlidingWindow": {"targetTokens": INT},
    "SpeakerVoiceConfig": {"speaker": STR, "voiceConfig": M("VoiceConfig")},
    "SpeechConfig": {"voiceConfig": M("VoiceConfig"), "languageCode": STR, "multiSpeakerVoiceConfig": M("MultiSpeakerVoiceConfig")},
    "SpeechMetadata": {"speaker": STR, "style": STR},
    "SpreadsheetMetadata": {"visibleCells": STR, "sheetIndex": INT, "contentLayers": LIST(E("SpreadsheetMetadataContentLayer"))},
    "StreamableHttpTransport": {"headers": STRUCT, "sseReadTimeout": STR, "terminateOnClose": BOOL, "timeout": STR, "url": STR},
    "TextResponseFormat": {"mimeType": STR, "jsonSchema": ANY},
    "ThinkingConfig": {"includeThoughts": BOOL, "thinkingBudget": INT, "thinkingLevel": E("ThinkingLevel")},
    "Tool": {"retrieval": M("Retrieval"), "computerUse": M("ComputerUse"), "fileSearch": M("FileSearch"), "googleSearch": M("GoogleSearch"), "googleMaps": M("GoogleMaps"), "codeExecution": M("ToolCodeExecution"), "enterpriseWebSearch": M("EnterpriseWebSearch"), "functionDeclarations": LIST(M("FunctionDeclaration")), "googleSearchRetrieval": M("GoogleSearchRetrieval"), "parallelAiSearch": M("ToolParallelAiSearch"), "urlContext": M("UrlContext"), "mcpServers": LIST(M("McpServer")), "exaAiSearch": M("ToolExaAiSearch")},
    "ToolCall": {"id": STR, "toolType": E("ToolType"), "args": STRUCT},
    "ToolCodeExecution": {},
    "ToolExaAiSearch": {"apiKey": STR, "customConfigs": STRUCT},
    "ToolParallelAiSearch": {"apiKey": STR, "customConfigs": STRUCT, "enableDataRetention": BOOL, "enableZeroDataRetention": BOOL},
    "ToolResponse": {"id": STR, "toolType": E("ToolType"), "response": STRUCT},
    "Transcription": {"text": STR, "finished": BOOL, "languageCode": STR, "speakerLabel": STR, "words": LIST(M("WordInfo")), "startOffset": STR, "endOffset": STR},
    "TranslationConfig": {"echoTargetLanguage": BOOL, "targetLanguageCode": STR},
    "UrlContext": {},
    "VertexAISearch": {"dataStoreSpecs": LIST(M("VertexAISearchDataStoreSpec")), "datastore": STR, "engine": STR, "filter": STR, "maxResults": INT},
    "VertexAISearchDataStoreSpec": {"dataStore": STR, "filter": STR},
    "VertexRagStore": {"ragCorpora": LIST(STR), "ragResources": LIST(M("VertexRagStoreRagResource")), "ragRetrievalConfig": M("RagRetrievalConfig"), "similarityTopK": INT, "storeContext": BOOL, "vectorDistanceThreshold": NUM},
    "VertexRagStoreRagResource": {"ragCorpus": STR, "ragFileIds": LIST(STR)},
    "VideoMetadata": {"endOffset": STR, "fps": NUM, "startOffset": STR, "contentLayers": LIST(E("VideoMetadataContentLayer"))},
    "VideoResponseFormat": {"aspectRatio": E("AspectRatio"), "delivery": E("Delivery"), "duration": STR, "gcsUri": STR, "resolution": STR},
    "VoiceConfig": {"replicatedVoiceConfig": M("ReplicatedVoiceConfig"), "prebuiltVoiceConfig": M("PrebuiltVoiceConfig"), "voice": STR},
    "VoiceConsentSignature": {"signature": STR},
    "WebSearch": {},
    "WordInfo": {"word": STR, "startOffset": STR, "endOffset": STR},
}

ENUMS: dict[str, tuple[str, ...]] = {
    "ActivityHandling": ("ACTIVITY_HANDLING_UNSPECIFIED", "START_OF_ACTIVITY_INTERRUPTS", "NO_INTERRUPTION"),
    "ApiSpec": ("API_SPEC_UNSPECIFIED", "SIMPLE_SEARCH", "ELASTIC_SEARCH"),
    "AspectRatio": ("ASPECT_RATIO_UNSPECIFIED", "ASPECT_RATIO_ONE_BY_ONE", "ASPECT_RATIO_TWO_BY_THREE", "ASPECT_RATIO_THREE_BY_TWO", "ASPECT_RATIO_THREE_BY_FOUR", "ASPECT_RATIO_FOUR_BY_THREE", "ASPECT_RATIO_FOUR_BY_FIVE", "ASPECT_RATIO_FIVE_BY_FOUR", "ASPECT_RATIO_NINE_BY_SIXTEEN", "ASPECT_RATIO_SIXTEEN_BY_NINE", "ASPECT_RATIO_TWENTY_ONE_BY_NINE", "ASPECT_RATIO_ONE_BY_EIGHT", "ASPECT_RATIO_EIGHT_BY_ONE", "ASPECT_RATIO_ONE_BY_FOUR", "ASPECT_RATIO_FOUR_BY_ONE"),
    "AudioTranscriptionConfigMode": ("MODE_UNSPECIFIED", "VERBATIM", "SMART"),
    "AuthType": ("AUTH_TYPE_UNSPECIFIED", "NO_AUTH", "API_KEY_AUTH", "HTTP_BASIC_AUTH", "GOOGLE_SERVICE_ACCOUNT_AUTH", "OAUTH", "OIDC_AUTH"),
    "Behavior": ("UNSPECIFIED", "BLOCKING", "NON_BLOCKING"),
    "Delivery": ("DELIVERY_UNSPECIFIED", "INLINE", "URI"),
    "DocumentMetadataContentLayer": ("CONTENT_LAYER_UNSPECIFIED", "PAGE_IMAGE", "PAGE_TEXT"),
    "DynamicRetrievalConfigMode": ("MODE_UNSPECIFIED", "MODE_DYNAMIC"),
    "EndSensitivity": ("END_SENSITIVITY_UNSPECIFIED", "END_SENSITIVITY_HIGH", "END_SENSITIVITY_LOW"),
    "Environment": ("ENVIRONMENT_UNSPECIFIED", "ENVIRONMENT_BROWSER", "ENVIRONMENT_MOBILE", "ENVIRONMENT_DESKTOP"),
    "FeatureSelectionPreference": ("FEATURE_SELECTION_PREFERENCE_UNSPECIFIED", "PRIORITIZE_QUALITY", "BALANCED", "PRIORITIZE_COST"),
    "FunctionResponseScheduling": ("SCHEDULING_UNSPECIFIED", "SILENT", "WHEN_IDLE", "INTERRUPT"),
    "HarmBlockMethod": ("HARM_BLOCK_METHOD_UNSPECIFIED", "SEVERITY", "PROBABILITY"),
    "HarmBlockThreshold": ("HARM_BLOCK_THRESHOLD_UNSPECIFIED", "BLOCK_LOW_AND_ABOVE", "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_ONLY_HIGH", "BLOCK_NONE", "OFF"),
    "HarmCategory": ("HARM_CATEGORY_UNSPECIFIED", "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT", "HARM_CATEGORY_CIVIC_INTEGRITY", "HARM_CATEGORY_JAILBREAK", "HARM_CATEGORY_IMAGE_HATE", "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT", "HARM_CATEGORY_IMAGE_HARASSMENT", "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT"),
    "HttpElementLocation": ("HTTP_IN_UNSPECIFIED", "HTTP_IN_QUERY", "HTTP_IN_HEADER", "HTTP_IN_PATH", "HTTP_IN_BODY", "HTTP_IN_COOKIE"),
    "ImageSize": ("IMAGE_SIZE_UNSPECIFIED", "IMAGE_SIZE_FIVE_TWELVE", "IMAGE_SIZE_ONE_K", "IMAGE_SIZE_TWO_K", "IMAGE_SIZE_FOUR_K"),
    "Language": ("LANGUAGE_UNSPECIFIED", "PYTHON"),
    "MediaProcessing": ("MEDIA_PROCESSING_UNSPECIFIED", "STATIC", "AGENTIC"),
    "MediaResolution": ("MEDIA_RESOLUTION_UNSPECIFIED", "MEDIA_RESOLUTION_LOW", "MEDIA_RESOLUTION_MEDIUM", "MEDIA_RESOLUTION_HIGH"),
    "Modality": ("MODALITY_UNSPECIFIED", "TEXT", "IMAGE", "AUDIO", "VIDEO"),
    "Outcome": ("OUTCOME_UNSPECIFIED", "OUTCOME_OK", "OUTCOME_FAILED", "OUTCOME_DEADLINE_EXCEEDED"),
    "PartMediaResolutionLevel": ("MEDIA_RESOLUTION_UNSPECIFIED", "MEDIA_RESOLUTION_LOW", "MEDIA_RESOLUTION_MEDIUM", "MEDIA_RESOLUTION_HIGH", "MEDIA_RESOLUTION_ULTRA_HIGH"),
    "PhishBlockThreshold": ("PHISH_BLOCK_THRESHOLD_UNSPECIFIED", "BLOCK_LOW_AND_ABOVE", "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_HIGH_AND_ABOVE", "BLOCK_HIGHER_AND_ABOVE", "BLOCK_VERY_HIGH_AND_ABOVE", "BLOCK_ONLY_EXTREMELY_HIGH"),
    "SafetyPolicy": ("SAFETY_POLICY_UNSPECIFIED", "FINANCIAL_TRANSACTIONS", "SENSITIVE_DATA_MODIFICATION", "COMMUNICATION_TOOL", "ACCOUNT_CREATION", "DATA_MODIFICATION", "USER_CONSENT_MANAGEMENT", "LEGAL_TERMS_AND_AGREEMENTS"),
    "SpreadsheetMetadataContentLayer": ("CONTENT_LAYER_UNSPECIFIED", "DATA", "FORMULAS", "VISUAL"),
    "StartSensitivity": ("START_SENSITIVITY_UNSPECIFIED", "START_SENSITIVITY_HIGH", "START_SENSITIVITY_LOW"),
    "ThinkingLevel": ("THINKING_LEVEL_UNSPECIFIED", "MINIMAL", "LOW", "MEDIUM", "HIGH", "XHIGH"),
    "ToolType": ("TOOL_TYPE_UNSPECIFIED", "GOOGLE_SEARCH_WEB", "GOOGLE_SEARCH_IMAGE", "URL_CONTEXT", "GOOGLE_MAPS", "FILE_SEARCH", "MEDIA_PROCESSING"),
    "TurnCoverage": ("TURN_COVERAGE_UNSPECIFIED", "TURN_INCLUDES_ONLY_ACTIVITY", "TURN_INCLUDES_ALL_INPUT", "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO"),
    "Type": ("TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"),
    "VideoMetadataContentLayer": ("CONTENT_LAYER_UNSPECIFIED", "FRAMES", "AUDIO", "TRANSCRIPT"),
}
