#!/usr/bin/env pwsh
# Build, test and publish the Appliance. PowerShell 7; offline install: dotnet tool install --global PowerShell --version 7.6.9
#   pwsh ./build.ps1 build      # compile everything (Release)
#   pwsh ./build.ps1 test       # the README's test command
#   pwsh ./build.ps1 publish    # single-file executables in artifacts/publish/<rid>/
#   pwsh ./build.ps1 usb        # the USB folder in artifacts/usb (same as: sh installer/build-usb.sh artifacts/usb)
param(
    [ValidateSet('build', 'test', 'publish', 'usb')]
    [string]$Target = 'build',
    [string[]]$Runtime = @('linux-x64', 'linux-arm64'),
    [string]$Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Set-Location $PSScriptRoot

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

switch ($Target) {
    'build' {
        Invoke-Dotnet build Appliance.sln -c $Configuration
    }
    'test' {
        Invoke-Dotnet test Appliance.sln
    }
    'publish' {
        # Self-contained, single file, native libraries (SQLite, libsodium) inside the file: the project files set
        # this whenever a runtime identifier is given (docs/decisions/0005-single-file-publish.md).
        $apps = @(
            @{ Project = 'appliance/Appliance/Appliance.csproj'; Name = 'appliance' },
            @{ Project = 'offline-bundle/Appliance.BundleTool/Appliance.BundleTool.csproj'; Name = 'appliance-bundle' }
        )
        foreach ($rid in $Runtime) {
            $out = Join-Path 'artifacts/publish' $rid
            foreach ($app in $apps) {
                Invoke-Dotnet publish $app.Project -c $Configuration -r $rid -o $out
            }
            foreach ($app in $apps) {
                $file = Get-Item (Join-Path $out $app.Name)
                '{0,-40} {1,8:N1} MiB' -f $file.FullName, ($file.Length / 1MB)
            }
        }
    }
    'usb' {
        # One script for both ways in, so the folder is the same with or without PowerShell (CI has none).
        & sh ./installer/build-usb.sh artifacts/usb
        if ($LASTEXITCODE -ne 0) { throw "installer/build-usb.sh failed with exit code $LASTEXITCODE" }
    }
}
