"""The rules that find an agenda in a document's blocks, one module per kind of thing
they find. Each rule is a plain function of a text (and what is known around it, such as
the agenda's period) that returns what it found with the words it found it in, so that
every rule can be tested on a sentence of its own."""
