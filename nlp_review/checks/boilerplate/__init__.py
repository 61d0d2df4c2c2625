"""Category "boilerplate": generic stock text, text shared with other agencies' reports, text
copied from last year's report, and other places' names left in copied text (rubric E1, E3,
E4; issue 6). The "boilerplate" component (nlp_review/boilerplate) does the work; these
rules turn `doc.boilerplate` into findings. Statutory wording (the regulation's own
sentences, the format's captions) is never flagged: such a sentence is exempt there."""
