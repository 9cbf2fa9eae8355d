#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    Installs mailroute as a Windows service (WinSW), with its folders, NTFS permissions, recovery
    actions and, if asked for, a firewall rule for the SMTP listener.

.DESCRIPTION
    Run from an elevated Windows PowerShell 5.1 (or PowerShell 7) on the server, after
    "mvn -B package -DskipTests" built target\mailroute.jar (and target\mailroute.jsa).

    What it does, in order:
      1. Checks Java 17 or later, the WinSW executable, and that nothing else listens on the
         SMTP port - in particular the IIS SMTP service (SMTPSVC), which must be stopped and
         disabled before mailroute can serve port 25.
      2. Creates the install folder with bin\, config\, routes\, logs\ and data\ (inbox, pickup,
         rejected, failed, broker, spool, tmp) and copies mailroute's files into it (the jar, the
         archive, bin\ with the launcher mailroute.cmd, the routes, the configuration). An existing
         config\application.properties is kept; the new default is written beside it as
         application.properties.dist.
      3. Installs the service (WinSW renamed mailroute.exe, next to mailroute.xml), then sets its
         account: the virtual account NT SERVICE\mailroute by default, or a gMSA or domain account.
      4. Sets the permissions: the install folder is Administrators and SYSTEM only, plus Read &
         Execute for the service account (so config\ and routes\ are read-only to it); Modify on
         data\ and logs\ for the service account; the right to add files to data\inbox for the
         accounts that drop mail there (IIS application pools), each owning only the files it
         wrote; Modify on data\pickup for the
         accounts that take mailroute's .eml files out of it.
      5. Sets the recovery actions (sc.exe failure): restart after 10 s, 30 s, then 60 s.
      6. Opens the firewall for the SMTP listener to the given remote addresses only - no rule
         at all unless -FirewallRemoteAddress is given: closed by default.
      7. Starts the service, unless -NoStart.

    Secrets (relay password, API keys, broker passwords) are not handled here: set them with
    set-secret.ps1 after the install and before the first start that needs them.

    This script has not been run on Windows by the project's tests; read it before you run it.
    docs\windows.md describes every step.

.PARAMETER InstallDir
    Where mailroute is installed; the service's working folder. Default: C:\Program Files\mailroute.

.PARAMETER SourceDir
    The built project: target\mailroute.jar, target\mailroute.jsa (optional), config\, routes\.
    Default: the project root two folders above this script.

.PARAMETER WinSW
    Path of the WinSW 2.x executable (WinSW-x64.exe or WinSW.NET461.exe from the WinSW releases).
    Not needed when the install folder already has mailroute.exe (an upgrade).

.PARAMETER WinSWSha256
    The SHA-256 the WinSW release publishes for that executable; the install stops if the file
    does not match. Strongly recommended.

.PARAMETER JavaHome
    A Java 17 or later (JDK or JRE). Default: the JAVA_HOME environment variable. Its java.exe is
    written into mailroute.xml as an absolute path.

.PARAMETER ServiceAccount
    The account the service runs as. Default: NT SERVICE\mailroute (a virtual account: no
    password, no rights beyond what this script grants). A group managed service account is
    written DOMAIN\name$; a domain user needs -Credential as well.

.PARAMETER Credential
    The password of a domain user given in -ServiceAccount. Not used for virtual accounts or gMSAs.

.PARAMETER InboxWriters
    Accounts that drop mail into data\inbox (the folder that replaces IIS's Pickup folder), e.g.
    'IIS AppPool\DefaultAppPool'. They may create and write files there, and nothing else.

.PARAMETER PickupReaders
    Accounts that take mailroute's .eml files out of data\pickup (mailroute.transport=pickup),
    for example the account of another SMTP service reading that folder. They get Modify on it.

.PARAMETER SmtpPort
    The port of mailroute's SMTP listener, for the port check and the firewall rule. Default: the
    value of mailroute.smtpd.port in the installed config\application.properties (2525).

.PARAMETER FirewallRemoteAddress
    Remote addresses allowed to reach the SMTP listener through Windows Firewall: 'LocalSubnet',
    addresses, ranges or CIDR blocks ('10.1.20.0/24'). Default: none - no rule is created, and
    Windows Firewall keeps the port closed to other machines. Set mailroute.smtpd.host and
    mailroute.smtpd.allowedClients to match (docs\smtp-listener.md).

.PARAMETER NoStart
    Install, but do not start the service (set secrets first).

.EXAMPLE
    .\install.ps1 -WinSW C:\Downloads\WinSW-x64.exe -WinSWSha256 <hash> -JavaHome 'C:\Program Files\Eclipse Adoptium\jdk-17.0.13.11-hotspot' -NoStart

    Installs into C:\Program Files\mailroute as NT SERVICE\mailroute, listener on loopback only,
    no firewall rule, not started.

.EXAMPLE
    .\install.ps1 -WinSW .\WinSW-x64.exe -InboxWriters 'IIS AppPool\Orders','IIS AppPool\Billing' -SmtpPort 25 -FirewallRemoteAddress '10.1.20.0/24'

    The same, with two IIS application pools allowed to write into the inbox, and the SMTP
    listener reachable on port 25 from 10.1.20.0/24 (after SMTPSVC was stopped and disabled).

.NOTES
    Windows PowerShell 5.1 compatible. Re-running it upgrades in place: the service is stopped,
    files are replaced (application.properties is kept), permissions and recovery are set again.
#>
[CmdletBinding()]
param(
    [string] $InstallDir = (Join-Path $env:ProgramFiles 'mailroute'),
    [string] $SourceDir = (Join-Path $PSScriptRoot '..\..'),
    [string] $WinSW,
    [string] $WinSWSha256,
    [string] $JavaHome = $env:JAVA_HOME,
    [string] $ServiceAccount = 'NT SERVICE\mailroute',
    [System.Management.Automation.PSCredential] $Credential,
    [string[]] $InboxWriters = @(),
    [string[]] $PickupReaders = @(),
    [int] $SmtpPort = 0,
    [string[]] $FirewallRemoteAddress = @(),
    [switch] $NoStart
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$ServiceName = 'mailroute'          # must equal <id> in mailroute.xml and the virtual account's name
$FirewallRuleName = 'mailroute-smtp'
$AdministratorsSid = '*S-1-5-32-544' # by SID: the group's name is localised
$SystemSid = '*S-1-5-18'

function Invoke-Native {
    # Runs a console program and stops on a non-zero exit code, naming the command.
    param([string] $FilePath, [string[]] $Arguments)
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($Arguments -join ' ')' failed with exit code $LASTEXITCODE"
    }
}

function Get-JavaMajorVersion {
    # Reads the JDK's release file instead of running java -version: Windows PowerShell 5.1 turns
    # a native program's standard error into a terminating error under ErrorActionPreference=Stop.
    param([string] $JavaRoot)
    $release = Join-Path $JavaRoot 'release'
    if (-not (Test-Path -LiteralPath $release)) {
        throw "JavaHome '$JavaRoot' has no 'release' file; give a Java 17 or later installation with -JavaHome"
    }
    $line = Select-String -LiteralPath $release -Pattern '^JAVA_VERSION="([0-9]+)' | Select-Object -First 1
    if (-not $line) {
        throw "JavaHome '$JavaRoot': no JAVA_VERSION line in $release"
    }
    return [int] $line.Matches[0].Groups[1].Value
}

function Get-ConfiguredSmtpPort {
    # The listener port as the installed configuration sets it; 2525 is mailroute's default.
    param([string] $PropertiesFile)
    if (Test-Path -LiteralPath $PropertiesFile) {
        $line = Select-String -LiteralPath $PropertiesFile -Pattern '^\s*mailroute\.smtpd\.port\s*[=:]\s*([0-9]+)\s*$' |
            Select-Object -First 1
        if ($line) {
            return [int] $line.Matches[0].Groups[1].Value
        }
    }
    return 2525
}

function Assert-PortFree {
    # Nothing may listen on the SMTP port: mailroute's start would stop with exit code 2 naming
    # mailroute.smtpd.port, and the service would be restarted into the same failure.
    param([int] $Port)
    $smtpsvc = Get-Service -Name 'SMTPSVC' -ErrorAction SilentlyContinue
    if ($smtpsvc) {
        $startType = (Get-CimInstance -ClassName Win32_Service -Filter "Name='SMTPSVC'").StartMode
        Write-Host "The IIS SMTP service (SMTPSVC) is installed: status $($smtpsvc.Status), start mode $startType."
        if ($Port -eq 25 -and ($smtpsvc.Status -ne 'Stopped' -or $startType -ne 'Disabled')) {
            throw ("SMTPSVC holds, or will hold at the next boot, port 25, which mailroute is to serve. " +
                   "Move its last mail out of C:\inetpub\mailroot\Queue first (docs\windows.md, 'Migrating'), then run: " +
                   "Stop-Service SMTPSVC; Set-Service SMTPSVC -StartupType Disabled")
        }
    }
    $listeners = @(Get-NetTCPConnection -LocalPort $Port -State Listen -ErrorAction SilentlyContinue)
    foreach ($listener in $listeners) {
        $owner = Get-Process -Id $listener.OwningProcess -ErrorAction SilentlyContinue
        $ownerName = if ($owner) { $owner.ProcessName } else { 'unknown' }
        $services = @(Get-CimInstance -ClassName Win32_Service -Filter "ProcessId=$($listener.OwningProcess)" |
            ForEach-Object { $_.Name })
        $serviceText = if ($services.Count -gt 0) { " (service: $($services -join ', '))" } else { '' }
        throw ("Port $Port is taken: $($listener.LocalAddress):$Port is listened on by process " +
               "$($listener.OwningProcess) $ownerName$serviceText. Stop and disable it first" +
               $(if ($Port -eq 25) { ' - inetinfo.exe with SMTPSVC is the IIS SMTP service' } else { '' }) +
               ", or give mailroute another port (mailroute.smtpd.port).")
    }
}

function Grant-Access {
    param([string] $Path, [string] $Account, [string] $Rights)
    Invoke-Native 'icacls.exe' @($Path, '/grant', ('{0}:{1}' -f $Account, $Rights), '/Q')
}

# --- 1. checks --------------------------------------------------------------------------------
$SourceDir = (Resolve-Path -LiteralPath $SourceDir).Path
$jar = Join-Path $SourceDir 'target\mailroute.jar'
$jsa = Join-Path $SourceDir 'target\mailroute.jsa'
if (-not (Test-Path -LiteralPath $jar)) {
    throw "No ${jar}: build it first with 'mvn -B package -DskipTests' in $SourceDir"
}
if (-not $JavaHome) {
    throw 'No Java: give -JavaHome or set JAVA_HOME to a Java 17 or later installation'
}
$javaExe = Join-Path $JavaHome 'bin\java.exe'
if (-not (Test-Path -LiteralPath $javaExe)) {
    throw "No $javaExe"
}
$javaMajor = Get-JavaMajorVersion -JavaRoot $JavaHome
if ($javaMajor -lt 17) {
    throw "Java $javaMajor in $JavaHome; mailroute needs 17 or later"
}

$wrapper = Join-Path $InstallDir 'mailroute.exe'
if ($WinSW) {
    if (-not (Test-Path -LiteralPath $WinSW)) {
        throw "No WinSW executable at $WinSW"
    }
    if ($WinSWSha256) {
        $actual = (Get-FileHash -LiteralPath $WinSW -Algorithm SHA256).Hash
        if ($actual -ne $WinSWSha256.ToUpperInvariant()) {
            throw "WinSW at $WinSW has SHA-256 $actual, not the $WinSWSha256 given: not installing it"
        }
    } else {
        Write-Warning 'No -WinSWSha256: the WinSW executable was not checked against its published hash.'
    }
} elseif (-not (Test-Path -LiteralPath $wrapper)) {
    throw 'Give -WinSW with the path of the WinSW 2.x executable (WinSW-x64.exe)'
}

$existing = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($existing -and $existing.Status -ne 'Stopped') {
    Write-Host "Stopping the running $ServiceName service for the upgrade..."
    Stop-Service -Name $ServiceName
    (Get-Service -Name $ServiceName).WaitForStatus('Stopped', [TimeSpan]::FromSeconds(60))
}

$properties = Join-Path $InstallDir 'config\application.properties'
if ($SmtpPort -eq 0) {
    $SmtpPort = Get-ConfiguredSmtpPort -PropertiesFile $(if (Test-Path -LiteralPath $properties) { $properties } else { Join-Path $SourceDir 'config\application.properties' })
}
Assert-PortFree -Port $SmtpPort

# --- 2. folders and files ---------------------------------------------------------------------
$folders = @('bin', 'config', 'routes', 'logs', 'data', 'data\inbox', 'data\pickup', 'data\rejected', 'data\failed',
             'data\broker', 'data\spool', 'data\tmp')
foreach ($folder in $folders) {
    New-Item -ItemType Directory -Force -Path (Join-Path $InstallDir $folder) | Out-Null
}
Copy-Item -LiteralPath $jar -Destination (Join-Path $InstallDir 'mailroute.jar') -Force
if (Test-Path -LiteralPath $jsa) {
    # made by another Java than $javaExe, the archive is ignored with a warning: a slower start only
    Copy-Item -LiteralPath $jsa -Destination (Join-Path $InstallDir 'mailroute.jsa') -Force
}
# The launcher belongs to this jar too (bin\mailroute.cmd runs the jar and the tools from the folder above bin\)
Copy-Item -Path (Join-Path $SourceDir 'bin\*') -Destination (Join-Path $InstallDir 'bin') -Force
# The routes belong to this jar: replace them, keeping the previous ones (they may have been edited).
$routes = Join-Path $InstallDir 'routes'
$oldRoutes = @(Get-ChildItem -LiteralPath $routes -Filter '*.yaml')
if ($oldRoutes.Count -gt 0) {
    $backup = Join-Path $InstallDir ('routes.previous-' + (Get-Date -Format 'yyyyMMddHHmmss'))
    New-Item -ItemType Directory -Path $backup | Out-Null
    $oldRoutes | Move-Item -Destination $backup
    Write-Host "The previous routes are in $backup."
}
Copy-Item -Path (Join-Path $SourceDir 'routes\*.yaml') -Destination $routes
Copy-Item -LiteralPath (Join-Path $SourceDir 'config\jvm.options') -Destination (Join-Path $InstallDir 'config\jvm.options') -Force
if (Test-Path -LiteralPath $properties) {
    Copy-Item -LiteralPath (Join-Path $SourceDir 'config\application.properties') -Destination "$properties.dist" -Force
    Write-Host "Kept your $properties; the new defaults are in application.properties.dist - compare them."
} else {
    Copy-Item -LiteralPath (Join-Path $SourceDir 'config\application.properties') -Destination $properties
}
if ($WinSW) {
    Copy-Item -LiteralPath $WinSW -Destination $wrapper -Force
}

# mailroute.xml with the absolute java.exe: the service does not depend on a machine JAVA_HOME
$xmlPath = Join-Path $InstallDir 'mailroute.xml'
$xml = New-Object System.Xml.XmlDocument
$xml.PreserveWhitespace = $true
$xml.Load((Join-Path $PSScriptRoot 'mailroute.xml'))
$xml.SelectSingleNode('/service/executable').InnerText = $javaExe
$xml.Save($xmlPath)

# --- 3. the service and its account ----------------------------------------------------------
if (-not $existing) {
    Invoke-Native $wrapper @('install')
}
# A virtual account exists only once its service does, so the account is set after the install.
if ($Credential) {
    $service = Get-CimInstance -ClassName Win32_Service -Filter "Name='$ServiceName'"
    $result = Invoke-CimMethod -InputObject $service -MethodName Change -Arguments @{
        StartName = $ServiceAccount; StartPassword = $Credential.GetNetworkCredential().Password }
    if ($result.ReturnValue -ne 0) {
        throw "Setting the service account $ServiceAccount failed: Win32_Service.Change returned $($result.ReturnValue)"
    }
} else {
    Invoke-Native 'sc.exe' @('config', $ServiceName, 'obj=', $ServiceAccount)
}
if ($ServiceAccount -notlike 'NT SERVICE\*') {
    Write-Warning "$ServiceAccount needs the 'Log on as a service' right (Local Security Policy or Group Policy); a virtual account has it already."
}
try {
    $accountSid = (New-Object System.Security.Principal.NTAccount($ServiceAccount)).Translate(
        [System.Security.Principal.SecurityIdentifier]).Value
} catch {
    throw "The service account $ServiceAccount cannot be resolved on this machine: $($_.Exception.Message)"
}
$account = "*$accountSid"

# --- 4. permissions ---------------------------------------------------------------------------
# Administrators and SYSTEM own the folder, the service account reads it; nothing is inherited
# from the parent (Program Files lets every user read). Granted before inheritance is removed,
# so that the folder never has an empty ACL.
Invoke-Native 'icacls.exe' @($InstallDir, '/reset', '/T', '/C', '/Q')
Grant-Access $InstallDir $AdministratorsSid '(OI)(CI)F'
Grant-Access $InstallDir $SystemSid '(OI)(CI)F'
Grant-Access $InstallDir $account '(OI)(CI)RX'
Invoke-Native 'icacls.exe' @($InstallDir, '/inheritance:r', '/Q')
# Where mailroute writes: queued and parked mail, the broker's journal, its logs.
Grant-Access (Join-Path $InstallDir 'data') $account '(OI)(CI)M'
Grant-Access (Join-Path $InstallDir 'logs') $account '(OI)(CI)M'
# Writers of the inbox may list it and add files to it (this folder only), and what each one
# creates is its own (CREATOR OWNER): an application never reads another one's mail. Reaching
# data\inbox needs no right on the folders above it (Bypass traverse checking, which Windows
# gives everyone). mailroute reads and deletes the files through its Modify on data\.
$inbox = Join-Path $InstallDir 'data\inbox'
foreach ($writer in $InboxWriters) {
    Grant-Access $inbox $writer 'RX'
    Grant-Access $inbox $writer 'W'
}
if ($InboxWriters.Count -gt 0) {
    Grant-Access $inbox '*S-1-3-0' '(OI)(IO)M'   # CREATOR OWNER
}
foreach ($reader in $PickupReaders) {
    Grant-Access (Join-Path $InstallDir 'data\pickup') $reader '(OI)(CI)M'
}

# --- 5. recovery ------------------------------------------------------------------------------
# The same as mailroute.xml's onfailure, set here as well so that it holds after an upgrade that
# kept the service, and failureflag so that an exit with an error code counts as a failure too.
Invoke-Native 'sc.exe' @('failure', $ServiceName, 'reset=', '3600', 'actions=', 'restart/10000/restart/30000/restart/60000')
Invoke-Native 'sc.exe' @('failureflag', $ServiceName, '1')

# --- 6. firewall ------------------------------------------------------------------------------
Get-NetFirewallRule -Name $FirewallRuleName -ErrorAction SilentlyContinue | Remove-NetFirewallRule
if ($FirewallRemoteAddress.Count -gt 0) {
    New-NetFirewallRule -Name $FirewallRuleName -DisplayName "mailroute SMTP listener (TCP $SmtpPort)" `
        -Description 'Clients that send mail to mailroute by SMTP. Keep in step with mailroute.smtpd.allowedClients.' `
        -Direction Inbound -Action Allow -Protocol TCP -LocalPort $SmtpPort `
        -RemoteAddress $FirewallRemoteAddress -Program $javaExe -Profile @('Domain', 'Private') | Out-Null
    Write-Host "Firewall: TCP $SmtpPort open to $($FirewallRemoteAddress -join ', ') for $javaExe."
    Write-Host 'mailroute listens beyond loopback only with mailroute.smtpd.host and mailroute.smtpd.allowedClients set (docs\smtp-listener.md).'
} else {
    Write-Host "Firewall: no rule made for TCP $SmtpPort; Windows Firewall keeps it closed to other machines unless another rule opens it (-FirewallRemoteAddress makes one)."
}

# --- 7. start ---------------------------------------------------------------------------------
if ($NoStart) {
    Write-Host "Installed, not started. Set secrets with set-secret.ps1, then: Start-Service $ServiceName"
} else {
    Start-Service -Name $ServiceName
    Write-Host "Started. Log: $(Join-Path $InstallDir 'logs\mailroute.out.log'). Check: java -jar mailroute.jar doctor (from $InstallDir)"
}
