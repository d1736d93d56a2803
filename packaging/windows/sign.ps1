# Sign files with Authenticode: signtool, SHA-256, an RFC 3161 timestamp, then verify.
#   powershell -ExecutionPolicy Bypass -File packaging\windows\sign.ps1 FILE...
# The certificate is the .pfx file named by $env:WINDOWS_SIGN_PFX, its password in
# $env:WINDOWS_SIGN_PASSWORD; $env:WINDOWS_SIGN_TIMESTAMP_URL overrides the timestamp server.
# The release workflow runs this only when its signing secrets exist (packaging/README.md).
param([Parameter(Mandatory = $true, ValueFromRemainingArguments = $true)][string[]]$Files)
$ErrorActionPreference = "Stop"

if (-not $env:WINDOWS_SIGN_PFX -or -not (Test-Path $env:WINDOWS_SIGN_PFX)) {
    throw "sign.ps1: WINDOWS_SIGN_PFX names no certificate file"
}
$signtool = (Get-Command signtool -ErrorAction SilentlyContinue).Source
if (-not $signtool) {
    # The Windows SDK's, newest first (runners have it; it is not on PATH).
    $kits = Join-Path ${env:ProgramFiles(x86)} "Windows Kits\10\bin"
    $signtool = Get-ChildItem $kits -Recurse -Filter signtool.exe -ErrorAction SilentlyContinue |
        Where-Object { $_.FullName -match "\\x64\\" } | Sort-Object FullName -Descending |
        Select-Object -First 1 -ExpandProperty FullName
}
if (-not $signtool) { throw "sign.ps1: signtool.exe not found (install the Windows SDK)" }
$timestamp = "http://timestamp.digicert.com"
if ($env:WINDOWS_SIGN_TIMESTAMP_URL) { $timestamp = $env:WINDOWS_SIGN_TIMESTAMP_URL }

foreach ($file in $Files) {
    $arguments = @("sign", "/fd", "sha256", "/td", "sha256", "/tr", $timestamp, "/f", $env:WINDOWS_SIGN_PFX)
    if ($env:WINDOWS_SIGN_PASSWORD) { $arguments += @("/p", $env:WINDOWS_SIGN_PASSWORD) }
    & $signtool @arguments $file
    if ($LASTEXITCODE -ne 0) { throw "sign.ps1: signing $file failed" }
    & $signtool verify /pa $file
    if ($LASTEXITCODE -ne 0) { throw "sign.ps1: $file does not verify" }
}
