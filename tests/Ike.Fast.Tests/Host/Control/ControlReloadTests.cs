using Ike.Fast.Host.Daemon;
using Microsoft.Extensions.DependencyInjection;

namespace Ike.Fast.Tests.Host.Control;

/// <summary>
/// <c>reload</c> on two in-process daemons: added connections apply, removed connections' SAs are deleted, SAs of a
/// connection still configured are left alone (same cookies and SPIs), an invalid file changes nothing, SIGHUP reloads.
/// </summary>
public class ControlReloadTests
{
    [Fact]
    public async Task ReloadAddsAConnectionKeepsEstablishedSasThenRemovingDeletesThem()
    {
        await using var pair = new ControlPair();
        await pair.StartEstablishedAsync();
        var before = await ControlPair.Status(pair.ASocket);
        var ikeBefore = Assert.Single(before.IkeSas!);
        var childBefore = Assert.Single(before.ChildSas!);

        // 1. Add a connection: loop's SAs are untouched.
        await File.WriteAllTextAsync(pair.AFile, pair.AJson(extra: ControlPair.Idle("second")));
        var reload = await LoopbackPair.Ask(pair.ASocket, """{"command":"reload"}""");
        Assert.True(reload.GetProperty("ok").GetBoolean(), reload.ToString());
        Assert.Contains("added: second", reload.GetProperty("message").GetString(), StringComparison.Ordinal);

        var after = await ControlPair.Status(pair.ASocket);
        var ikeAfter = Assert.Single(after.IkeSas!);
        Assert.Equal(ikeBefore.InitiatorCookie, ikeAfter.InitiatorCookie);
        Assert.Equal(ikeBefore.ResponderCookie, ikeAfter.ResponderCookie);
        Assert.Equal(childBefore.SpiIn, Assert.Single(after.ChildSas!).SpiIn);
        var stats = await LoopbackPair.Ask(pair.ASocket, """{"command":"stats"}""");
        Assert.Equal(2, stats.GetProperty("stats").GetProperty("connections").GetInt32());
        Assert.Equal(1, stats.GetProperty("stats").GetProperty("reloads").GetInt64());
        // The new connection is known to the engine (initiate would answer "unknown connection" otherwise).
        var unknown = await LoopbackPair.Ask(pair.ASocket, """{"command":"initiate","connection":"third"}""");
        Assert.Contains("unknown connection 'third'", unknown.GetProperty("error").GetString(), StringComparison.Ordinal);

        // 2. Remove loop: its IPsec and ISAKMP SAs are deleted, here and (told by Delete) at the peer.
        await File.WriteAllTextAsync(pair.AFile, pair.AJson(withLoop: false, extra: ControlPair.Idle("second")));
        reload = await LoopbackPair.Ask(pair.ASocket, """{"command":"reload"}""");
        Assert.True(reload.GetProperty("ok").GetBoolean(), reload.ToString());
        Assert.Contains("removed: loop", reload.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(await LoopbackPair.WaitUntil(() =>
            ControlPair.Count(pair.ASocket, "child_sas") == 0 && ControlPair.Count(pair.ASocket, "ike_sas") == 0));
        Assert.True(await LoopbackPair.WaitUntil(() => ControlPair.Count(pair.BSocket, "child_sas") == 0));
        var gone = await LoopbackPair.Ask(pair.ASocket, """{"command":"initiate","connection":"loop"}""");
        Assert.Contains("unknown connection 'loop'", gone.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChangedConnectionAppliesToNewNegotiationsAndItsSasStay()
    {
        await using var pair = new ControlPair();
        await pair.StartEstablishedAsync();
        var before = Assert.Single((await ControlPair.Status(pair.ASocket)).ChildSas!);

        // loop's child is renamed net -> web (same selectors, so b still accepts it).
        await File.WriteAllTextAsync(pair.AFile, pair.AJson(child: "web"));
        var reload = await LoopbackPair.Ask(pair.ASocket, """{"command":"reload"}""");
        Assert.True(reload.GetProperty("ok").GetBoolean(), reload.ToString());
        Assert.Contains("kept or updated: loop", reload.GetProperty("message").GetString(), StringComparison.Ordinal);

        var old = await LoopbackPair.Ask(pair.ASocket, """{"command":"initiate","connection":"loop","child":"net"}""");
        Assert.Contains("has no child 'net'", old.GetProperty("error").GetString(), StringComparison.Ordinal);
        var web = await LoopbackPair.Ask(pair.ASocket, """{"command":"initiate","connection":"loop","child":"web"}""");
        Assert.True(web.GetProperty("ok").GetBoolean(), web.ToString());
        Assert.True(await LoopbackPair.WaitUntil(() => ControlPair.Count(pair.ASocket, "child_sas") == 2));
        var children = (await ControlPair.Status(pair.ASocket)).ChildSas!;
        Assert.Contains(children, c => c.SpiIn == before.SpiIn && c.Child == "net");
        Assert.Contains(children, c => c.Child == "web");
    }

    [Fact]
    public async Task InvalidConfigurationOnReloadIsReportedAndTheOldOneKeptThenSighupReloads()
    {
        await using var pair = new ControlPair();
        await pair.StartEstablishedAsync();
        var before = await ControlPair.Status(pair.ASocket);

        await File.WriteAllTextAsync(pair.AFile, pair.AJson().Replace("aes128-sha256-modp2048", "aes129-sha256-modp2048", StringComparison.Ordinal));
        var reload = await LoopbackPair.Ask(pair.ASocket, """{"command":"reload"}""");
        Assert.False(reload.GetProperty("ok").GetBoolean());
        var error = reload.GetProperty("error").GetString()!;
        Assert.StartsWith("invalid configuration, nothing changed:", error, StringComparison.Ordinal);
        Assert.Contains("a.json: ", error, StringComparison.Ordinal);
        Assert.Contains("keyword 'aes129'", error, StringComparison.Ordinal);

        var after = await ControlPair.Status(pair.ASocket);
        Assert.Equal(Assert.Single(before.IkeSas!).InitiatorCookie, Assert.Single(after.IkeSas!).InitiatorCookie);
        Assert.Equal(Assert.Single(before.ChildSas!).SpiIn, Assert.Single(after.ChildSas!).SpiIn);
        var stats = await LoopbackPair.Ask(pair.ASocket, """{"command":"stats"}""");
        Assert.Equal(0, stats.GetProperty("stats").GetProperty("reloads").GetInt64());

        // SIGHUP runs the same reload (the handler is called directly: a real signal would reach the test runner).
        await File.WriteAllTextAsync(pair.AFile, pair.AJson(extra: ControlPair.Idle("second")));
        var service = pair.A.Services.GetRequiredService<IkeDaemonService>();
        var hangup = await service.HangupAsync();
        Assert.True(hangup.Ok, hangup.Error);
        Assert.Contains("added: second", hangup.Message, StringComparison.Ordinal);
        Assert.Equal(Assert.Single(before.ChildSas!).SpiIn, Assert.Single((await ControlPair.Status(pair.ASocket)).ChildSas!).SpiIn);

        // A daemon built without a file refuses.
        var b = await LoopbackPair.Ask(pair.BSocket, """{"command":"reload"}""");
        Assert.False(b.GetProperty("ok").GetBoolean());
    }
}
