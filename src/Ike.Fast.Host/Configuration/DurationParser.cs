using System.Globalization;

namespace Ike.Fast.Host.Configuration;

/// <summary>swanctl time values: a number of seconds, or a number with an <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c> suffix.</summary>
public static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        var unit = text[^1];
        var seconds = unit switch
        {
            's' => 1L,
            'm' => 60L,
            'h' => 3600L,
            'd' => 86400L,
            _ => 0L,
        };
        var digits = seconds == 0 ? text : text[..^1];
        if (seconds == 0)
        {
            seconds = 1;
        }

        // Bounded so that the product cannot overflow a TimeSpan (100 years is beyond any SA lifetime).
        if (!uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value * seconds > 100L * 365 * 86400)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * seconds);
        return true;
    }
}
