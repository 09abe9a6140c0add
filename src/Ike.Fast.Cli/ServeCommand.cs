using System.CommandLine;
using System.Net.Sockets;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Daemon;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Cli;

/// <summary>
/// <c>ikefast serve --config FILE</c>: loads and validates the configuration, binds UDP 500 (or <c>--listen</c>), serves
/// the control socket and runs the daemon until Ctrl-C/SIGTERM. Exit codes: 0 clean stop, 1 start-up failure
/// (e.g. address in use), 2 invalid configuration.
/// </summary>
internal static class ServeCommand
{
    public const int ExitStartFailure = 1;
    public const int ExitInvalidConfiguration = 2;

    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c")
        {
            Description = "The configuration file (JSON with comments; swanctl.conf's connections/secrets layout).",
            Required = true,
        };
        var secrets = new Option<FileInfo?>("--secrets")
        {
            Description = "A separate secrets file (overrides the configuration's secrets_file).",
        };
        var listen = new Option<string[]>("--listen")
        {
            Description = "UDP address to listen on, ADDR:PORT (repeatable; default 0.0.0.0:500 and [::]:500).",
            AllowMultipleArgumentsPerToken = false,
        };
        var control = new Option<string?>("--control-socket")
        {
            Description = "Path of the control socket (default /run/ikefast/ikefast.sock as root, else $XDG_RUNTIME_DIR or the temp folder).",
        };
        var set = new Option<string[]>("--set")
        {
            Description = "Override a configuration key, KEY=VALUE with ':' between levels (connections:rw:rekey_time=1h). Repeatable.",
        };
        var logSecrets = new Option<bool>("--log-secrets")
        {
            Description = "Log IPsec key material (for decrypting captures). Never in production.",
        };
        var debug = new Option<bool>("--debug")
        {
            Description = "Log at Debug level (datagram dumps).",
        };
        var command = new Command("serve", "Run the IKEv1 daemon.")
        {
            config, secrets, listen, control, set, logSecrets, debug,
        };
        command.SetAction(async (result, cancel) =>
        {
            var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in result.GetValue(set) ?? [])
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    await result.InvocationConfiguration.Error.WriteLineAsync($"--set {pair}: expected KEY=VALUE").ConfigureAwait(false);
                    return ExitInvalidConfiguration;
                }

                overrides[pair[..equals]] = pair[(equals + 1)..];
            }

            var listenValues = result.GetValue(listen) ?? [];
            for (var i = 0; i < listenValues.Length; i++)
            {
                overrides[$"daemon:listen:{i}"] = listenValues[i];
            }

            if (result.GetValue(control) is { } controlPath)
            {
                overrides["daemon:control_socket"] = Path.GetFullPath(controlPath);
            }

            IkeFastConfiguration configuration;
            try
            {
                configuration = ConfigurationLoader.Load(result.GetValue(config)!.FullName, overrides, result.GetValue(secrets)?.FullName);
            }
            catch (ConfigurationException e)
            {
                foreach (var error in e.Errors)
                {
                    await result.InvocationConfiguration.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
                }

                return ExitInvalidConfiguration;
            }

            using (configuration)
            {
                var options = new DaemonOptions { LogSecrets = result.GetValue(logSecrets) };
                // reload / SIGHUP re-read the same file, secrets file and overrides.
                var configPath = result.GetValue(config)!.FullName;
                var secretsPath = result.GetValue(secrets)?.FullName;
                using var host = IkeFastHost.Build(configuration, options, result.GetValue(debug) ? LogLevel.Debug : LogLevel.Information,
                    reloader: () => ConfigurationLoader.Load(configPath, overrides, secretsPath));
                try
                {
                    await host.StartAsync(cancel).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or InvalidOperationException or IOException or UnauthorizedAccessException)
                {
                    await result.InvocationConfiguration.Error.WriteLineAsync($"ikefast serve: {e.Message}").ConfigureAwait(false);
                    return ExitStartFailure;
                }

                // Returns after Ctrl-C/SIGTERM (or cancel) once the host has stopped: loop joined, control socket removed.
                try
                {
                    await host.WaitForShutdownAsync(cancel).ConfigureAwait(false);
                }
                catch (InvalidOperationException e)
                {
                    // The daemon loop failed (already logged with its stack trace).
                    await result.InvocationConfiguration.Error.WriteLineAsync($"ikefast serve: {e.Message}").ConfigureAwait(false);
                    return ExitStartFailure;
                }

                return 0;
            }
        });
        return command;
    }
}
