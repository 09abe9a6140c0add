namespace Ike.Fast.Tests.Captures;

/// <summary>Turns <c>tshark -V</c> text (four spaces per level, frames separated by blank lines) into node trees, one list of top-level nodes per frame.</summary>
internal static class DissectionTree
{
    private const int IndentWidth = 4;

    public static List<List<DissectionNode>> ParseFrames(IEnumerable<string> lines)
    {
        var frames = new List<List<DissectionNode>>();
        List<DissectionNode>? current = null;
        var stack = new List<DissectionNode>();
        foreach (string raw in lines)
        {
            if (raw.Trim().Length == 0)
            {
                continue;
            }

            int spaces = raw.Length - raw.TrimStart(' ').Length;
            int depth = spaces / IndentWidth;
            var node = new DissectionNode(raw.Trim(), depth);
            if (depth == 0)
            {
                if (node.Text.StartsWith("Frame ", StringComparison.Ordinal) || current is null)
                {
                    current = [];
                    frames.Add(current);
                }

                current.Add(node);
                stack.Clear();
                stack.Add(node);
                continue;
            }

            // Attach to the nearest shallower line; tolerate jumps of more than one level.
            while (stack.Count > 0 && stack[^1].Depth >= depth)
            {
                stack.RemoveAt(stack.Count - 1);
            }

            if (stack.Count == 0)
            {
                current!.Add(node);
            }
            else
            {
                stack[^1].Children.Add(node);
            }

            stack.Add(node);
        }

        return frames;
    }
}
