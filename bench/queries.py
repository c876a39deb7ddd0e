"""Queries the benchmarks share (no side effects: safe to import before Django is set up)."""

# The typical page query of the GraphQL issue: a question with its answers, their authors
# and comments (docs/graphql.md, "A whole thread in one request").
THREAD_QUERY = """query Thread($id: ID!) {
  question(id: $id) {
    title
    bodyHtml
    isAnswered
    viewerCanAnswer
    acceptedAnswer { id }
    answers {
      id
      bodyHtml
      score
      author { handle isMentor }
      comments { bodyHtml author { handle } }
    }
  }
}"""
