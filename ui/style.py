"""The app's few CSS rules, for the HTML that cards and passages are drawn with."""

CSS = """<style>
.bb-card { position: relative; padding-left: 2.4rem; }
.bb-rank { position: absolute; left: 0; top: .15rem; width: 1.7rem; height: 1.7rem; border-radius: 50%;
  background: #e8eef7; color: #1f4e8c; font-weight: 600; text-align: center; line-height: 1.7rem; }
.bb-quote { margin: 0 0 .4rem 0; padding: .1rem 0 .1rem .8rem; border-left: 3px solid #1f4e8c;
  font-size: 1.05rem; line-height: 1.5; white-space: pre-wrap; }
.bb-meta { color: #555; font-size: .9rem; }
.bb-page { font-weight: 600; color: #1f4e8c; }
.bb-score { color: #888; }
.bb-context { white-space: pre-wrap; line-height: 1.5; }
.bb-context mark.quote { background: #ffe58a; padding: 0 .1rem; }
h3.bb-doc { margin: 1.2rem 0 .2rem 0; font-size: 1.2rem; }
mark { background: #fff3b0; padding: 0; }
</style>"""
