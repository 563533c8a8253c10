namespace HaCluster.Core.Cib.Syntax;

/// <summary>A syntax error at a token; caught per statement so parsing goes on.</summary>
internal sealed class CrmSyntaxException(string message, int line, int column) : Exception(message)
{
    public int Line { get; } = line;
    public int Column { get; } = column;
}

/// <summary>Walks the tokens of one statement.</summary>
internal sealed class CrmCursor(CrmStatement statement)
{
    private readonly IReadOnlyList<CrmToken> _tokens = statement.Tokens;
    private int _pos;

    public bool AtEnd => _pos >= _tokens.Count;
    public CrmToken? Peek(int ahead = 0) => _pos + ahead < _tokens.Count ? _tokens[_pos + ahead] : null;
    public CrmToken Last => _tokens[Math.Max(0, Math.Min(_pos, _tokens.Count) - 1)];

    public CrmToken Next(string what)
    {
        if (AtEnd)
        {
            var last = _tokens[^1];
            throw new CrmSyntaxException($"expected {what} after '{last.Text}'", last.Line, last.Column + last.Text.Length);
        }
        return _tokens[_pos++];
    }

    public bool PeekIs(string word) => Peek() is { Quoted: false } t && t.Text == word;

    public bool TryTake(string word)
    {
        if (!PeekIs(word)) return false;
        _pos++;
        return true;
    }

    public void Expect(string word)
    {
        var t = Next($"'{word}'");
        if (t.Quoted || t.Text != word) throw Error(t, $"expected '{word}', found '{t.Text}'");
    }

    public static CrmSyntaxException Error(CrmToken at, string message) => new(message, at.Line, at.Column);
}
