# Windows build: the bundle with PyInstaller, the smoke test, then the installer with Inno Setup 6.
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 -InstallerOnly
#       (only the installer, from the dist\liveview already built: after signing its .exe files)
# Needs: Python 3.11 x64 (python.org; $env:PYTHON names another interpreter for the venv) and
# Inno Setup 6 (iscc on PATH or in its default folder). The version comes from
# liveview\__init__.py, the one place it is kept.
param([switch]$InstallerOnly)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

# A native command that fails does not stop PowerShell 5 by itself: check every exit code.
function Invoke-Checked([string]$What, [scriptblock]$Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "build.ps1: $What failed (exit code $LASTEXITCODE)" }
}

$version = (Select-String -Path liveview\__init__.py -Pattern '^__version__ = "(.+)"').Matches[0].Groups[1].Value
$python = ".\.venv\Scripts\python.exe"

if (-not $InstallerOnly) {
    if (-not (Test-Path $python)) {
        if ($env:PYTHON) { Invoke-Checked "venv" { & $env:PYTHON -m venv .venv } }
        else { Invoke-Checked "venv" { py -3.11 -m venv .venv } }
    }
    Invoke-Checked "pip" { & $python -m pip install --upgrade pip }
    Invoke-Checked "pip install" { & $python -m pip install -e ".[dev]" }

    # The installer's and the exe's icon, from the PNGs in resources\icons (Pillow is in the dev extra).
    New-Item -ItemType Directory -Force build\icons | Out-Null
    Invoke-Checked "icon" { & $python -c "from PIL import Image; Image.open('resources/icons/liveview-256.png').save('build/icons/liveview.ico', sizes=[(16,16),(24,24),(32,32),(48,48),(64,64),(128,128),(256,256)])" }

    Invoke-Checked "PyInstaller" {
        & $python -m PyInstaller --noconfirm --clean --log-level WARN `
            --distpath dist --workpath build\pyinstaller packaging\liveview.spec
    }
    # The console exe, offscreen; fails on the signs in packaging\smoke_patterns.txt.
    & (Join-Path $PSScriptRoot "smoke_test.ps1")
}

$iscc = (Get-Command iscc -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $iscc)) { throw "build.ps1: Inno Setup 6 is missing (https://jrsoftware.org/isdl.php)" }
Invoke-Checked "iscc" { & $iscc "/DAppVersion=$version" packaging\windows\liveview.iss }
$setup = "dist\liveview-$version-windows-x64-setup.exe"
if (-not (Test-Path $setup)) { throw "build.ps1: iscc made no $setup" }
Get-Item $setup
