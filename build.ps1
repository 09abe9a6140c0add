#!/usr/bin/env pwsh
# One entry point for the IkeFast build. A convenience only: every target is a plain dotnet/cmake command,
# printed before it runs, that works without this script.
#   dotnet tool restore && dotnet pwsh build.ps1 -Target Test
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Bench', 'Native', 'Pack')]
    [string]$Target = 'Build',
    [string]$Configuration = 'Release',
    # Test: a dotnet test --filter expression. Bench: a BenchmarkDotNet --filter glob.
    [string]$Filter = '',
    # Bench: run the short job (a few minutes) instead of the full one.
    [switch]$Short
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Step([string]$exe, [string[]]$argv) {
    Write-Host "> $exe $($argv -join ' ')" -ForegroundColor Cyan
    & $exe @argv
    if ($LASTEXITCODE -ne 0) { throw "$exe exited with $LASTEXITCODE" }
}

switch ($Target) {
    'Native' {
        Invoke-Step cmake @('-S', 'native', '-B', 'artifacts/native-build', '-DCMAKE_BUILD_TYPE=Release', "-DIKEFAST_NATIVE_OUT=$PSScriptRoot/artifacts/native")
        Invoke-Step cmake @('--build', 'artifacts/native-build', '--parallel', '2')
    }
    'Build' { Invoke-Step dotnet @('build', 'IkeFast.sln', '-c', $Configuration) }
    'Test' {
        $argv = @('test', 'IkeFast.sln', '-c', $Configuration)
        if ($Filter) { $argv += @('--filter', $Filter) }
        Invoke-Step dotnet $argv
    }
    'Bench' {
        $argv = @('run', '-c', 'Release', '--project', 'bench/Ike.Fast.Benchmarks', '--', '--filter', ($Filter ? $Filter : '*'))
        if ($Short) { $argv += @('--job', 'short') }
        Invoke-Step dotnet $argv
    }
    'Pack' { Invoke-Step dotnet @('publish', 'src/Ike.Fast.Cli', '-c', $Configuration, '-o', 'artifacts/publish') }
}
