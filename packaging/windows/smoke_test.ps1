# Run the frozen liveview-cli.exe with --self-test and fail on any sign of a broken bundle, even
# with exit code 0: the Windows twin of packaging/smoke_test.sh, reading the same
# packaging/smoke_patterns.txt, with a private log folder whose crash log must stay empty.
#   powershell -ExecutionPolicy Bypass -File packaging\windows\smoke_test.ps1 [-Binary EXE] [-Native]
# Offscreen by default (what any machine can run). -Native uses Qt's Windows platform plugin on
# the desktop session (a CI runner has one): that is where Qt makes the process per-monitor DPI
# aware and where the self-test grabs the screen.
param(
    [string]$Binary = "dist\liveview\liveview-cli.exe",
    [switch]$Native,
    [int]$TimeoutSeconds = 180
)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$root = (Get-Location).Path
if (-not (Test-Path $Binary)) {
    throw "smoke_test.ps1: no $Binary (build it with packaging\windows\build.ps1)"
}

function Fail([string]$why) { throw "SMOKE TEST FAILED: $why" }

$logDir = Join-Path ([System.IO.Path]::GetTempPath()) ("liveview-smoke-" + [guid]::NewGuid())
New-Item -ItemType Directory -Force $logDir | Out-Null
New-Item -ItemType Directory -Force (Join-Path $root "build") | Out-Null
$log = Join-Path $root "build\smoke-test.log"
$env:LIVEVIEW_LOG_DIR = $logDir
if ($Native) { Remove-Item Env:QT_QPA_PLATFORM -ErrorAction SilentlyContinue }
else { $env:QT_QPA_PLATFORM = "offscreen" }
try {
    $process = Start-Process -FilePath $Binary -ArgumentList "--self-test" -NoNewWindow -PassThru `
        -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    # Reading the handle now is what makes ExitCode available after the wait (a .NET quirk of
    # Start-Process -PassThru).
    $null = $process.Handle
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        $process.Kill()
        Fail "timed out after $TimeoutSeconds s"
    }
    $code = $process.ExitCode
}
finally {
    Remove-Item Env:LIVEVIEW_LOG_DIR -ErrorAction SilentlyContinue
    Remove-Item Env:QT_QPA_PLATFORM -ErrorAction SilentlyContinue
}

$out = [System.IO.File]::ReadAllText($log) + [System.IO.File]::ReadAllText("$log.err")
Write-Output $out
if ($code -ne 0) { Fail "exit code $code" }
foreach ($pattern in Get-Content (Join-Path $root "packaging\smoke_patterns.txt")) {
    if ($pattern -eq "" -or $pattern.StartsWith("#")) { continue }
    $hit = [regex]::Match($out, $pattern, [System.Text.RegularExpressions.RegexOptions]::IgnoreCase)
    if ($hit.Success) { Fail "output contains '$pattern': $($hit.Value)" }
}
if ($out -notmatch "(?m)^liveview self-test: OK") { Fail "no ready line 'liveview self-test: OK'" }
# Issue 15: the bundle reads text offline (RapidOCR's models and onnxruntime must be in it).
if ($out -notmatch "(?m)^  ok  ocr ") { Fail "no 'ok  ocr' step: text recognition is missing from the bundle" }
$faults = Join-Path $logDir "liveview-faults.log"
if ((Test-Path $faults) -and ((Get-Item $faults).Length -gt 0)) {
    Fail "native crash logged: $(Get-Content $faults -TotalCount 5)"
}
Remove-Item -Recurse -Force $logDir -ErrorAction SilentlyContinue
$mode = if ($Native) { "the Windows desktop" } else { "offscreen" }
Write-Output "smoke test passed: $Binary ($mode)"
