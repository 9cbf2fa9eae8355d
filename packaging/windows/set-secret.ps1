#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    Gives the mailroute service a secret (MAILROUTE_SMTP_PASSWORD, MAILROUTE_API_KEYS, ...) as an
    environment variable that only this service sees.

.DESCRIPTION
    mailroute takes its secrets from the environment, never from application.properties. On
    Windows the safe place for them is the service's own registry key: the service control
    manager passes the REG_MULTI_SZ value "Environment" of
    HKLM\SYSTEM\CurrentControlSet\Services\mailroute to the service's process, and to no other.
    WinSW passes its environment on to java.exe.

    The alternatives are worse: a machine environment variable
    ([Environment]::SetEnvironmentVariable(..., 'Machine')) is readable by every local user and
    inherited by every process started after it - IIS worker processes included; WinSW's <env>
    puts the secret into mailroute.xml, which the service account must be able to read.

    The service key is readable by every local user by default (BUILTIN\Users: Read). This
    script therefore narrows the key's permissions to Administrators and SYSTEM - the service
    control manager, which runs as SYSTEM, is the only reader the service needs.

    The value is asked for without echo and never printed. It takes effect at the next start of
    the service. Removing the service (uninstall.ps1) removes the key and the secrets with it.

    This script has not been run on Windows by the project's tests (docs\windows.md).

.PARAMETER Name
    The environment variable: MAILROUTE_ followed by the key in upper case, dots as underscores
    (mailroute.smtp.password -> MAILROUTE_SMTP_PASSWORD). docs\configuration.md marks the secrets.

.PARAMETER Remove
    Remove the variable instead of setting it.

.EXAMPLE
    .\set-secret.ps1 -Name MAILROUTE_SMTP_PASSWORD
    Restart-Service mailroute

.EXAMPLE
    .\set-secret.ps1 -Name MAILROUTE_API_KEYS -Remove
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [ValidatePattern('^MAILROUTE_[A-Z0-9_]+$')]
    [string] $Name,
    [switch] $Remove
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$key = 'HKLM:\SYSTEM\CurrentControlSet\Services\mailroute'
if (-not (Test-Path -LiteralPath $key)) {
    throw 'The mailroute service is not installed (run install.ps1 first)'
}

# Narrow the key first, so that the secret is never written where Users may read it.
$acl = New-Object System.Security.AccessControl.RegistrySecurity
$acl.SetAccessRuleProtection($true, $false)
foreach ($sid in @('S-1-5-32-544', 'S-1-5-18')) {   # Administrators, SYSTEM
    $rule = New-Object System.Security.AccessControl.RegistryAccessRule(
        (New-Object System.Security.Principal.SecurityIdentifier($sid)), 'FullControl',
        'ContainerInherit', 'None', 'Allow')
    $acl.AddAccessRule($rule)
}
Set-Acl -LiteralPath $key -AclObject $acl

$entries = @()
$current = (Get-ItemProperty -LiteralPath $key -Name 'Environment' -ErrorAction SilentlyContinue)
if ($current) {
    $entries = @($current.Environment | Where-Object { $_ -notlike "$Name=*" })
}

if (-not $Remove) {
    $secure = Read-Host -Prompt "Value of $Name (not shown)" -AsSecureString
    $pointer = [Runtime.InteropServices.Marshal]::SecureStringToBSTR($secure)
    try {
        $value = [Runtime.InteropServices.Marshal]::PtrToStringBSTR($pointer)
    } finally {
        [Runtime.InteropServices.Marshal]::ZeroFreeBSTR($pointer)
    }
    if ([string]::IsNullOrEmpty($value)) {
        throw "Empty value: nothing set. Use -Remove to remove $Name."
    }
    $entries += "$Name=$value"
}

if ($entries.Count -gt 0) {
    New-ItemProperty -LiteralPath $key -Name 'Environment' -PropertyType MultiString -Value ([string[]] $entries) -Force | Out-Null
} else {
    Remove-ItemProperty -LiteralPath $key -Name 'Environment' -ErrorAction SilentlyContinue
}

$names = @($entries | ForEach-Object { ($_ -split '=', 2)[0] })
Write-Host "The service's environment now names: $(if ($names.Count -gt 0) { $names -join ', ' } else { 'nothing' })."
Write-Host 'It takes effect at the next start: Restart-Service mailroute'
