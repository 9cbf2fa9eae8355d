#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    Stops and removes the mailroute service and its firewall rule; keeps mail, configuration and
    logs unless -RemoveData.

.DESCRIPTION
    1. Stops the service (WinSW sends Ctrl+C; mailroute finishes what is in flight).
    2. Removes the service - and with its registry key the secrets set by set-secret.ps1.
    3. Removes the firewall rule install.ps1 created.
    4. Removes mailroute's program files (mailroute.exe, mailroute.xml, mailroute.jar,
       mailroute.jsa, and bin\ with the launcher). data\ (the queue's journal, failed\, rejected\, the inbox), config\,
       routes\ and logs\ stay, so that a reinstall goes on with the queued mail: the virtual
       account NT SERVICE\mailroute has the same SID again, and its permissions still apply.

    With -RemoveData the whole install folder goes, queued mail included. Look at
    data\failed and the queue first (docs\windows.md, "Uninstalling").

    This script has not been run on Windows by the project's tests (docs\windows.md).

.PARAMETER InstallDir
    The install folder. Default: C:\Program Files\mailroute.

.PARAMETER RemoveData
    Also delete data\ - queued, parked and rejected mail - config\, routes\ and logs\.

.EXAMPLE
    .\uninstall.ps1

.EXAMPLE
    .\uninstall.ps1 -RemoveData -Confirm
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string] $InstallDir = (Join-Path $env:ProgramFiles 'mailroute'),
    [switch] $RemoveData
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$ServiceName = 'mailroute'
$FirewallRuleName = 'mailroute-smtp'

$service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($service) {
    if ($service.Status -ne 'Stopped') {
        Write-Host "Stopping $ServiceName..."
        Stop-Service -Name $ServiceName
        (Get-Service -Name $ServiceName).WaitForStatus('Stopped', [TimeSpan]::FromSeconds(60))
    }
    $wrapper = Join-Path $InstallDir 'mailroute.exe'
    if (Test-Path -LiteralPath $wrapper) {
        & $wrapper uninstall
    } else {
        & sc.exe delete $ServiceName
    }
    if ($LASTEXITCODE -ne 0) {
        throw "Removing the service $ServiceName failed with exit code $LASTEXITCODE"
    }
    Write-Host "Service $ServiceName removed."
} else {
    Write-Host "No service $ServiceName."
}

Get-NetFirewallRule -Name $FirewallRuleName -ErrorAction SilentlyContinue | Remove-NetFirewallRule

if (-not (Test-Path -LiteralPath $InstallDir)) {
    return
}
if ($RemoveData) {
    if ($PSCmdlet.ShouldProcess($InstallDir, 'Delete the install folder with all queued, parked and rejected mail')) {
        Remove-Item -LiteralPath $InstallDir -Recurse -Force
        Write-Host "$InstallDir removed."
    }
} else {
    foreach ($file in @('mailroute.exe', 'mailroute.xml', 'mailroute.jar', 'mailroute.jsa')) {
        $path = Join-Path $InstallDir $file
        if (Test-Path -LiteralPath $path) {
            Remove-Item -LiteralPath $path -Force
        }
    }
    $bin = Join-Path $InstallDir 'bin'
    if (Test-Path -LiteralPath $bin) {
        Remove-Item -LiteralPath $bin -Recurse -Force
    }
    Write-Host "Kept $InstallDir\data, config, routes and logs. -RemoveData deletes them."
}
