using Ike.Fast.Host.Control;
using Ike.Fast.Host.Installation;
using Ike.Fast.Host.Kernel;
using Ike.Native.Xfrm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host.Kernel;

/// <summary>Kernel events → daemon commands (fed events, a recording control target).</summary>
public sealed class KernelEventServiceTests
{
    [Fact]
    public void EventsBecomeInitiateOrTerminateCommands()
    {
        var target = new RecordingTarget();
        using var installer = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        using var service = new KernelEventService(installer, () => target, NullLogger<KernelEventService>.Instance);

        service.Handle(Event(KernelEventKind.Acquire, inbound: false));
        service.Handle(Event(KernelEventKind.SoftExpire, inbound: true));
        service.Handle(Event(KernelEventKind.SoftExpire, inbound: false));
        service.Handle(Event(KernelEventKind.SoftExpire, inbound: true) with { Superseded = true });
        service.Handle(Event(KernelEventKind.HardExpire, inbound: false));
        service.Handle(Event(KernelEventKind.InstallFailed, inbound: true));
        service.Handle(Event(KernelEventKind.HardExpire, inbound: true) with { Connection = null, Child = null });

        // Soft EXPIRE of the inbound SA rekeys that pair (the engine keeps its selectors).
        Assert.Equal(["initiate gw/net", "rekey c0ffee01 gw/net", "terminate c0ffee01", "terminate c0ffee01"], target.Calls);
        Assert.Equal(7, service.Handled);
    }

    private static KernelEvent Event(KernelEventKind kind, bool inbound) =>
        new(kind, XfrmOwnership.ReqIdBase + 1, inbound ? 0xc0ffee01 : 0x0badf00d, XfrmProtocol.Esp, "gw", "net", 0xc0ffee01, inbound);

    private sealed class RecordingTarget : IControlTarget
    {
        public List<string> Calls { get; } = [];

        public CountersStatus Counters => new(0, 0, 0, 0, 0);

        public Task<ControlResponse> InitiateAsync(string connection, string? child)
        {
            Calls.Add($"initiate {connection}/{child}");
            return Task.FromResult(ControlResponse.Success);
        }

        public Task<ControlResponse> RekeyChildAsync(uint inboundSpi, string connection, string? child)
        {
            Calls.Add($"rekey {inboundSpi:x8} {connection}/{child}");
            return Task.FromResult(ControlResponse.Success);
        }

        public Task<ControlResponse> TerminateIkeAsync(string connection)
        {
            Calls.Add($"terminate {connection}");
            return Task.FromResult(ControlResponse.Success);
        }

        public Task<ControlResponse> TerminateChildAsync(uint inboundSpi)
        {
            Calls.Add($"terminate {inboundSpi:x8}");
            return Task.FromResult(ControlResponse.Success);
        }
    }
}
