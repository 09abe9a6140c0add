using Ike.Fast.Policy;

namespace Ike.Fast.Tests.Policy;

public class TrafficSelectorTests
{
    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.0/24")]
    [InlineData("192.0.2.1", "192.0.2.1/32")]
    [InlineData("10.0.0.0/8[tcp/80]", "10.0.0.0/8[6/80]")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("dynamic", "dynamic")]
    public void Parse_SwanctlSyntax(string text, string formatted) => Assert.Equal(formatted, TrafficSelector.Parse(text).ToString());

    [Fact]
    public void Parse_RejectsBadPrefix() => Assert.Throws<FormatException>(() => TrafficSelector.Parse("10.0.0.0/33"));
}
