# Windows build: the bundle with PyInstaller, the smoke test, then the installer with Inno Setup 6.
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
# Needs: Python 3.11 x64 (python.org), Inno Setup 6 (iscc on PATH or in its default folder).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

if (-not (Test-Path .venv)) { py -3.11 -m venv .venv }
.\.venv\Scripts\python -m pip install --upgrade pip
.\.venv\Scripts\python -m pip install -e ".[dev]"

# The installer's and the exe's icon, from the PNGs in resources\icons (Pillow is in the dev extra).
New-Item -ItemType Directory -Force build\icons | Out-Null
.\.venv\Scripts\python -c "from PIL import Image; Image.open('resources/icons/liveview-256.png').save('build/icons/liveview.ico', sizes=[(16,16),(24,24),(32,32),(48,48),(64,64),(128,128),(256,256)])"

$version = (Select-String -Path liveview\__init__.py -Pattern '^__version__ = "(.+)"').Matches[0].Groups[1].Value
.\.venv\Scripts\python -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath dist --workpath build\pyinstaller packaging\liveview.spec

# Smoke test: the console exe, offscreen; fails on a traceback, a missing module or Qt plugin.
$env:QT_QPA_PLATFORM = "offscreen"
$out = & .\dist\liveview\liveview-cli.exe --self-test 2>&1 | Out-String
$code = $LASTEXITCODE
Remove-Item Env:QT_QPA_PLATFORM
Write-Output $out
if ($code -ne 0 -or $out -notmatch "(?m)^liveview self-test: OK" -or
    $out -match "Traceback|No module named|could not load the Qt platform plugin|Failed to load") {
    throw "smoke test failed (exit code $code)"
}

$iscc = (Get-Command iscc -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" packaging\windows\liveview.iss
if ($LASTEXITCODE -ne 0) { throw "iscc failed" }
Get-Item "dist\liveview-$version-windows-x64-setup.exe"
