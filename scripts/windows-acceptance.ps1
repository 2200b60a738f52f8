<#
.SYNOPSIS
  Acceptance run of diskprep on a real Windows machine with a spare disk.

.DESCRIPTION
  What no test here can do: drive diskprep through the real storage and BitLocker cmdlets.
  The script lists the disks, asks for the spare disk's serial to be typed (and checks it
  names exactly one disk that is not the system or boot disk and that diskprep accepts), then
  runs, each step timed and recorded:

    1. diskprep --version
    2. diskprep drives --json          (what diskprep sees, and why disks are refused)
    3. diskprep init                   (an offline job over a small generated staging folder)
    4. diskprep check                  (elevation, cmdlets, the BitLocker preflight)
    5. diskprep prepare --offline      (ERASES the disk: GPT, NTFS, BitLocker, copy, manifest)
    6. Unlock-BitLocker                (with the recovery password from the journal)
    7. diskprep verify                 (re-reads every file against the manifest)
    8. Lock-BitLocker

  It writes a report (JSON and text) with each step's command, exit code, duration and the
  tail of its output. Recovery passwords never enter the report or the console.

  Run it from an elevated Windows PowerShell 5.1 prompt:

    powershell -ExecutionPolicy Bypass -File scripts\windows-acceptance.ps1

  With diskprep from a source checkout instead of a global install:

    powershell -ExecutionPolicy Bypass -File scripts\windows-acceptance.ps1 `
      -DiskprepCommand node -DiskprepArgs C:\src\diskprep\bin\diskprep.js

.PARAMETER WorkDir
  Where the staging folder and the report go (default: a new folder under %TEMP%).

.PARAMETER DataMiB
  Size of the generated staging data in MiB (default 24).
#>
[CmdletBinding()]
param(
  [string]$DiskprepCommand = 'diskprep',
  [string[]]$DiskprepArgs = @(),
  [string]$WorkDir = (Join-Path $env:TEMP ('diskprep-acceptance-' + (Get-Date -Format 'yyyyMMdd-HHmmss'))),
  [int]$DataMiB = 24
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# npm installs diskprep as diskprep.cmd: Start-Process with redirection needs the real file.
$DiskprepExe = (Get-Command $DiskprepCommand -CommandType Application | Select-Object -First 1).Source

$principal = [Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  Write-Error 'Run this from an elevated prompt (Run as administrator): diskprep formats and encrypts the disk.'
  exit 2
}

New-Item -ItemType Directory -Force -Path $WorkDir | Out-Null
$Staging = Join-Path $WorkDir 'staging'
$Job = 'acceptance'
$ReportJson = Join-Path $WorkDir 'report.json'
$ReportText = Join-Path $WorkDir 'report.txt'
$Report = [ordered]@{
  started  = (Get-Date).ToString('o')
  computer = $env:COMPUTERNAME
  windows  = [Environment]::OSVersion.VersionString
  workDir  = $WorkDir
  disk     = $null
  steps    = @()
  result   = 'incomplete'
}

function Save-Report {
  $Report.finished = (Get-Date).ToString('o')
  $Report | ConvertTo-Json -Depth 6 | Set-Content -Encoding UTF8 -Path $ReportJson
  $lines = @("diskprep acceptance on $($Report.computer) ($($Report.windows))", "result: $($Report.result)", '')
  foreach ($s in $Report.steps) {
    $lines += "== $($s.step): exit $($s.exitCode) in $($s.seconds) s"
    $lines += "   $($s.command)"
    foreach ($l in $s.outputTail) { $lines += "   | $l" }
  }
  Set-Content -Encoding UTF8 -Path $ReportText -Value $lines
}

function Add-Step([string]$Step, [string]$Command, [int]$ExitCode, [double]$Seconds, [string[]]$Output) {
  $tail = @($Output | Select-Object -Last 40)
  $Report.steps += [ordered]@{
    step       = $Step
    command    = $Command
    exitCode   = $ExitCode
    seconds    = [math]::Round($Seconds, 1)
    outputTail = $tail
  }
  Save-Report
}

# Runs diskprep with the given arguments; records the step; returns its stdout as one string.
function Invoke-Diskprep([string]$Step, [string[]]$Arguments, [switch]$AllowFailure) {
  $all = @($DiskprepArgs) + @($Arguments)
  $shown = ($DiskprepCommand + ' ' + ($Arguments -join ' ')).Trim()
  Write-Host "==> $Step`: $shown"
  $outFile = Join-Path $WorkDir ('out-' + $Report.steps.Count + '.txt')
  $errFile = Join-Path $WorkDir ('err-' + $Report.steps.Count + '.txt')
  $watch = [Diagnostics.Stopwatch]::StartNew()
  $p = Start-Process -FilePath $DiskprepExe -ArgumentList (ConvertTo-ArgumentLine $all) -NoNewWindow -Wait -PassThru `
    -RedirectStandardOutput $outFile -RedirectStandardError $errFile
  $watch.Stop()
  $stdout = @(Get-Content -Path $outFile -ErrorAction SilentlyContinue)
  $stderr = @(Get-Content -Path $errFile -ErrorAction SilentlyContinue)
  Add-Step $Step $shown $p.ExitCode $watch.Elapsed.TotalSeconds (@($stdout) + @($stderr))
  foreach ($l in ($stderr | Select-Object -Last 5)) { Write-Host "    $l" }
  if ($p.ExitCode -ne 0 -and -not $AllowFailure) {
    $Report.result = "failed at $Step (exit $($p.ExitCode))"
    Save-Report
    Write-Host "FAILED at $Step; report: $ReportText"
    exit 1
  }
  return ($stdout -join "`n")
}

# Quotes arguments for Start-Process (Windows command-line rules: quotes doubled backslashes).
function ConvertTo-ArgumentLine([string[]]$Items) {
  $quoted = foreach ($a in $Items) {
    if ($a -notmatch '[\s"]' -and $a -ne '') { $a }
    else { '"' + (($a -replace '(\\*)"', '$1$1\"') -replace '(\\+)$', '$1$1') + '"' }
  }
  return ($quoted -join ' ')
}

# Writes a small staging tree: nested folders, a name with spaces, random and empty files.
function New-StagingData([string]$Root, [int]$MiB) {
  $data = Join-Path $Root 'data'
  New-Item -ItemType Directory -Force -Path (Join-Path $data 'nested\deeper') | Out-Null
  $rng = [Security.Cryptography.RandomNumberGenerator]::Create()
  $sizes = @(
    @('data\one-byte.txt', 1),
    @('data\empty.txt', 0),
    @('data\nested\a file with spaces.bin', 65537),
    @('data\nested\deeper\one-chunk.bin', 4MB),
    @('data\large.bin', [int64]$MiB * 1MB)
  )
  foreach ($s in $sizes) {
    $path = Join-Path $Root $s[0]
    $bytes = New-Object byte[] ([int64]$s[1])
    $rng.GetBytes($bytes)
    [IO.File]::WriteAllBytes($path, $bytes)
  }
}

# --- 1. Which disk ------------------------------------------------------------------------
Invoke-Diskprep 'version' @('--version') | Out-Null
$listed = (Invoke-Diskprep 'drives' @('drives', '--json') | ConvertFrom-Json).drives
Write-Host ''
Write-Host 'Disks of this computer:'
Get-Disk | Sort-Object Number | Format-Table -AutoSize Number, FriendlyName, SerialNumber, BusType, PartitionStyle,
  @{ n = 'Size(GB)'; e = { [math]::Round($_.Size / 1GB) } }, IsSystem, IsBoot | Out-Host
foreach ($d in $listed) {
  $why = if ($d.eligible) { 'diskprep: ok' } else { 'diskprep: no: ' + ($d.reasons -join '; ') }
  Write-Host ("  {0}  serial {1}  {2}" -f $d.path, $d.serial, $why)
}
Write-Host ''
$typed = (Read-Host 'Type the serial number of the SPARE disk to ERASE (as listed above)').Trim()
$found = @($listed | Where-Object { $_.serial -and ($_.serial -replace '\s', '') -eq ($typed -replace '\s', '') })
if ($found.Count -ne 1) {
  Write-Error "The serial '$typed' names $($found.Count) disks: type the serial of exactly one disk."
  exit 2
}
$disk = $found[0]
$win = Get-Disk -Number $disk.number
if ($win.IsSystem -or $win.IsBoot -or $disk.system -or $disk.boot) {
  Write-Error "Disk $($disk.number) is the system or boot disk: refusing."
  exit 2
}
if (-not $disk.eligible) {
  Write-Error ("diskprep refuses disk $($disk.number): " + ($disk.reasons -join '; '))
  exit 2
}
$again = (Read-Host ("Everything on disk {0} ({1}, serial {2}) will be ERASED. Type the serial again to go on" -f $disk.number, $disk.model, $disk.serial)).Trim()
if (($again -replace '\s', '') -ne ($disk.serial -replace '\s', '')) {
  Write-Error 'The serials differ: nothing was done.'
  exit 2
}
$Report.disk = [ordered]@{ number = $disk.number; serial = $disk.serial; model = $disk.model; sizeBytes = $disk.sizeBytes; bus = $disk.bus }
Save-Report

# --- 2. Staging data and an offline job ---------------------------------------------------
New-StagingData $Staging $DataMiB
# The manifest needs a storage credential; an offline job never uses it. Given through the
# environment so it is in no command line.
$keyBytes = New-Object byte[] 64
[Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($keyBytes)
$env:DISKPREP_STORAGE_ACCOUNT_KEY = [Convert]::ToBase64String($keyBytes)
Invoke-Diskprep 'init' @('init', '--staging', $Staging, '--job', $Job, '--service', 'offline', '--storage-account', 'acceptance', '--container', 'acceptance', '--data', 'data') | Out-Null
Remove-Item Env:\DISKPREP_STORAGE_ACCOUNT_KEY
Invoke-Diskprep 'check' @('check', '--staging', $Staging, '--job', $Job, '--service', 'offline', '--json') -AllowFailure | Out-Null

# --- 3. Prepare: erase, encrypt, copy -----------------------------------------------------
Invoke-Diskprep 'prepare' @('prepare', '--staging', $Staging, '--job', $Job, '--drive', $disk.serial, '--offline', '--yes', '--json') | Out-Null

# --- 4. Verify: unlock with the journal's recovery password, re-read every file -------------
$journal = Join-Path $Staging ".diskprep\journal\$Job\copy-state.json"
$state = Get-Content -Raw -Path $journal | ConvertFrom-Json
$drive = @($state.drives)[0]
$letter = ([string]$drive.target).Substring(0, 2)
$watch = [Diagnostics.Stopwatch]::StartNew()
$unlockExit = 0
$unlockOut = @()
try {
  $bl = Get-BitLockerVolume -MountPoint $letter
  if ([string]$bl.LockStatus -eq 'Locked') {
    Unlock-BitLocker -MountPoint $letter -RecoveryPassword $drive.bitLockerKey | Out-Null
  }
  $bl = Get-BitLockerVolume -MountPoint $letter
  $unlockOut = @("$letter $($bl.VolumeStatus) $($bl.EncryptionMethod) protection $($bl.ProtectionStatus) $($bl.LockStatus)")
} catch {
  $unlockExit = 1
  $unlockOut = @($_.Exception.Message)
}
$watch.Stop()
Add-Step 'unlock' "Unlock-BitLocker -MountPoint $letter -RecoveryPassword <from the journal>" $unlockExit $watch.Elapsed.TotalSeconds $unlockOut
if ($unlockExit -ne 0) {
  $Report.result = 'failed at unlock'
  Save-Report
  Write-Host "FAILED at unlock; report: $ReportText"
  exit 1
}
$Report.disk.encryptionMethod = [string]$drive.encryptionMethod
Invoke-Diskprep 'verify' @('verify', '--target', "$letter\", '--staging', $Staging, '--job', $Job, '--json') | Out-Null

$watch = [Diagnostics.Stopwatch]::StartNew()
Lock-BitLocker -MountPoint $letter -ForceDismount | Out-Null
$watch.Stop()
Add-Step 'lock' "Lock-BitLocker -MountPoint $letter -ForceDismount" 0 $watch.Elapsed.TotalSeconds @()

$Report.result = 'passed'
Save-Report
Write-Host "PASSED. Report: $ReportText and $ReportJson"
exit 0
