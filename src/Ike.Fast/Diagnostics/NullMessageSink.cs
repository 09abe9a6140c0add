namespace Ike.Fast.Diagnostics;

/// <summary>A sink that discards everything: drives the walker alone (fault probing, fuzzing).</summary>
internal class NullMessageSink : IMessageSink
{
    public virtual void BeginMessage(in DatagramContext context)
    {
    }

    public virtual void Header(in HeaderSummary header)
    {
    }

    public virtual void EndMessage()
    {
    }

    public virtual void BeginPayload(int type, int length, int offset)
    {
    }

    public virtual void EndPayload()
    {
    }

    public virtual void BeginObject(string? name, string title)
    {
    }

    public virtual void EndObject()
    {
    }

    public virtual void BeginArray(string name)
    {
    }

    public virtual void EndArray()
    {
    }

    public virtual void Number(string name, long value, string? meaning = null, bool inTitle = false)
    {
    }

    public virtual void Bytes(string name, ReadOnlySpan<byte> value, string? meaning = null, bool inTitle = false)
    {
    }

    public virtual void BytesElement(string treeName, ReadOnlySpan<byte> value)
    {
    }

    public virtual void Attribute(int type, string? typeName, bool isBasic, ushort basicValue, ReadOnlySpan<byte> variableValue, string? valueName)
    {
    }

    public virtual void Text(string name, string value)
    {
    }

    public virtual void Boolean(string name, bool value)
    {
    }

    public virtual void Fault(string reason, int offset)
    {
    }
}
