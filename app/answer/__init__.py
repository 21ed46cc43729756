"""Question -> passages -> answer: hybrid retrieval, sentences, the answering span, citations."""
