; Inno Setup 6 script: dist\liveview (the PyInstaller bundle) -> dist\liveview-<version>-windows-x64-setup.exe
;   iscc /DAppVersion=<version> packaging\windows\liveview.iss
; (packaging\windows\build.ps1 reads the version from liveview\__init__.py and runs this.)
; Per-user install by default (no admin prompt); "Install for all users" is offered.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "liveview"
#define AppExe "liveview.exe"
#define Root "..\.."

[Setup]
AppId={{6C1F3C2E-8B7A-4C55-9E0B-2B6D0E1A7F31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=liveview contributors
AppPublisherURL=https://github.com/liveview/liveview
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
OutputDir={#Root}\dist
OutputBaseFilename=liveview-{#AppVersion}-windows-x64-setup
Compression=lzma2/ultra64
SolidCompression=yes
LZMANumBlockThreads=4
WizardStyle=modern
SetupIconFile={#Root}\build\icons\liveview.ico
UninstallDisplayIcon={app}\{#AppExe}
CloseApplications=yes
ChangesEnvironment=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: liveview.exe (window), liveview-cli.exe (console: doctor,
; --self-test) and _internal\.
Source: "{#Root}\dist\liveview\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autoprograms}\{#AppName} check-up"; Filename: "{cmd}"; Parameters: "/k ""{app}\liveview-cli.exe"" doctor"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Logs and settings are the user's (in %LOCALAPPDATA%\liveview); only our own leftovers here.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
