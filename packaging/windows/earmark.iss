; Inno Setup script: installs the one-folder bundle for the current user and registers
; Earmark for its file types. Build on Windows after packaging\build.sh's PyInstaller step
; (run there as: pyinstaller --noconfirm packaging\earmark.spec), then:
;
;     iscc packaging\windows\earmark.iss      ->  dist\Earmark-0.1.0-setup.exe
;
; It cannot be built or checked on Linux. What it registers, per user (HKCU), without admin
; rights:
;   - ProgIDs Earmark.Audio, Earmark.Video and Earmark.Transcript, whose open command is
;     "earmark.exe" "%1": Explorer starts one process per selected file, and the single-
;     instance hand-over (desktop/ui/single_instance.py, a named pipe) gathers them in the
;     running window, where they queue and the last one is shown;
;   - OpenWithProgids for .mp3 .m4a .aac .ogg .oga .opus .flac .wav .mp4 .mkv .webm, so
;     Earmark is offered under "Open with" without taking audio and video over (Windows
;     asks the user before changing a default);
;   - .srt and .vtt, which usually have no other handler, open with Earmark directly.
; Earmark's JSON export is plain .json, which Earmark does not claim here.
; Uninstalling removes the keys (uninsdeletekey / uninsdeletevalue) and the folder.

#define AppName "Earmark"
#define AppVersion "0.1.0"
#define AppExe "earmark.exe"

[Setup]
AppId={{6C0B7A4E-2F9B-4C4B-9E0A-EA27A7B4D0E1}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=The Earmark developers
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
ChangesAssociations=yes
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=Earmark-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\..\dist\earmark\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{userprograms}\{#AppName} (new window)"; Filename: "{app}\{#AppExe}"; Parameters: "--new-window"

[Registry]
; The three kinds of document and how they open.
Root: HKCU; Subkey: "Software\Classes\Earmark.Audio"; ValueType: string; ValueName: ""; ValueData: "Audio episode"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\Earmark.Audio\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKCU; Subkey: "Software\Classes\Earmark.Audio\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKCU; Subkey: "Software\Classes\Earmark.Video"; ValueType: string; ValueName: ""; ValueData: "Video episode"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\Earmark.Video\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKCU; Subkey: "Software\Classes\Earmark.Video\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKCU; Subkey: "Software\Classes\Earmark.Transcript"; ValueType: string; ValueName: ""; ValueData: "Transcript"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\Earmark.Transcript\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKCU; Subkey: "Software\Classes\Earmark.Transcript\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

; Audio and video: offered under "Open with" (the user's default stays as it is).
Root: HKCU; Subkey: "Software\Classes\.mp3\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Audio"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.m4a\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Audio"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.aac\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Audio"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.ogg\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Audio"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.oga\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Audio"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.opus\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Audio"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.flac\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Audio"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.wav\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Audio"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.mp4\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Video"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.mkv\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Video"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.webm\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Video"; ValueData: ""; Flags: uninsdeletevalue

; Subtitles: Earmark opens them on double-click (and is offered under "Open with").
Root: HKCU; Subkey: "Software\Classes\.srt"; ValueType: string; ValueName: ""; ValueData: "Earmark.Transcript"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.srt\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Transcript"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.vtt"; ValueType: string; ValueName: ""; ValueData: "Earmark.Transcript"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.vtt\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Transcript"; ValueData: ""; Flags: uninsdeletevalue

; Listed in Settings > Apps > Default apps, so the user can pick Earmark for any of these.
Root: HKCU; Subkey: "Software\Earmark\Capabilities"; ValueType: string; ValueName: "ApplicationName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Earmark\Capabilities"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "Read podcast and video episodes with local transcripts"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".mp3"; ValueData: "Earmark.Audio"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".m4a"; ValueData: "Earmark.Audio"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".aac"; ValueData: "Earmark.Audio"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".ogg"; ValueData: "Earmark.Audio"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".oga"; ValueData: "Earmark.Audio"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".opus"; ValueData: "Earmark.Audio"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".flac"; ValueData: "Earmark.Audio"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".wav"; ValueData: "Earmark.Audio"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".mp4"; ValueData: "Earmark.Video"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".mkv"; ValueData: "Earmark.Video"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".webm"; ValueData: "Earmark.Video"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".srt"; ValueData: "Earmark.Transcript"
Root: HKCU; Subkey: "Software\Earmark\Capabilities\FileAssociations"; ValueType: string; ValueName: ".vtt"; ValueData: "Earmark.Transcript"
Root: HKCU; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "Earmark"; ValueData: "Software\Earmark\Capabilities"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#AppExe}"; Description: "Open Earmark"; Flags: nowait postinstall skipifsilent
