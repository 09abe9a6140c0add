using Ike.Fast.Host.Control;
using Ike.Fast.Host.Installation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Kernel;

/// <summary>
/// Drains <see cref="XfrmSaInstaller"/>'s kernel events and acts on them through the daemon's command queue (the same
/// path as the control socket, so the engine is still touched by its loop thread only):
/// <list type="bullet">
/// <item>ACQUIRE on a reqid of ours → initiate that child;</item>
/// <item>soft EXPIRE of an inbound SA not yet superseded by a newer pair → rekey: a new Quick Mode for the child
/// (RFC 2409 section 5.5; IKEv1 has no rekey exchange of its own), the old pair lives until its hard expiry. The
/// daemon's own rekey timer usually comes first (see <see cref="XfrmChildSa.Lifetime"/>);</item>
/// <item>hard EXPIRE, or an install the kernel refused → delete the pair and tell the peer (Delete payload, RFC 2408
/// section 3.15), so it does not keep sending into a black hole.</item>
/// </list>
/// With the memory installer there are no kernel events and this service idles.
/// </summary>
public sealed class KernelEventService(ISaInstaller installer, Func<IControlTarget?> daemon, ILogger<KernelEventService> logger)
    : IHostedService, IDisposable
{
    private const int PollMilliseconds = 100;
    private readonly CancellationTokenSource _stopping = new();
    private Thread? _thread;

    /// <summary>Events handled so far (tests).</summary>
    public long Handled { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (installer is XfrmSaInstaller xfrm)
        {
            _thread = new Thread(() => Run(xfrm)) { Name = "ikefast-kernel-events", IsBackground = true };
            _thread.Start();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _thread?.Join();
    }

    public void Dispose()
    {
        // A host disposed without StopAsync (failed start) must not leave the thread waiting on a disposed token.
        _stopping.Cancel();
        _thread?.Join();
        _thread = null;
        _stopping.Dispose();
    }

    /// <summary>Handles one event (public for tests feeding events without a kernel).</summary>
    public void Handle(KernelEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Handled++;
        var target = daemon();
        if (e.Connection is null || target is null)
        {
            logger.LogInformation("kernel event {Event}: no child of ours to act on", e);
            return;
        }

        switch (e.Kind)
        {
            case KernelEventKind.Acquire:
                logger.LogInformation("kernel ACQUIRE for {Connection}/{Child} (reqid 0x{ReqId:x8}): initiating", e.Connection,
                    e.Child, e.ReqId);
                _ = target.InitiateAsync(e.Connection, e.Child);
                break;
            case KernelEventKind.SoftExpire when e.Inbound && !e.Superseded:
                // One rekey per pair: the outbound SA's soft expiry arrives too and is only logged; so is the soft
                // expiry of a pair the daemon's rekey timer already replaced.
                logger.LogInformation("kernel soft expire of {Connection}/{Child} SPI {Spi:x8}: rekeying (new Quick Mode)",
                    e.Connection, e.Child, e.Spi);
                // The engine rekeys that very pair (its selectors, docs/rekeying.md); initiating is the fallback.
                _ = target.RekeyChildAsync(e.InboundSpi, e.Connection, e.Child);
                break;
            case KernelEventKind.SoftExpire:
                logger.LogDebug("kernel soft expire of SPI {Spi:x8} ({Connection}/{Child}{Superseded}): no action", e.Spi, e.Connection,
                    e.Child, e.Superseded ? ", already rekeyed" : "");
                break;
            case KernelEventKind.HardExpire or KernelEventKind.InstallFailed:
                logger.LogInformation("kernel {Kind} of {Connection}/{Child} SPI in {SpiIn:x8}: deleting, telling the peer",
                    e.Kind, e.Connection, e.Child, e.InboundSpi);
                _ = target.TerminateChildAsync(e.InboundSpi);
                break;
            default:
                logger.LogWarning("kernel event {Event}", e);
                break;
        }
    }

    private void Run(XfrmSaInstaller xfrm)
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            if (xfrm.TryDequeueEvent(out var e))
            {
                try
                {
                    Handle(e);
                }
                catch (InvalidOperationException failure)
                {
                    logger.LogWarning("kernel event {Event} not handled: {Error}", e, failure.Message);
                }

                continue;
            }

            token.WaitHandle.WaitOne(PollMilliseconds);
        }
    }
}
