// Starts GraphiQL on /graphql/ with the session's CSRF token (the API enforces CSRF for
// cookie auth) and a first query to run. No inline script: the site's CSP forbids it.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var endpoint = root.dataset.endpoint;
  var headers = { "X-CSRFToken": root.dataset.csrfToken };
  // Subscriptions go over the socket beside /ws/live/ (graphql-transport-ws).
  var wsUrl = new URL(root.dataset.socket, window.location.href);
  wsUrl.protocol = wsUrl.protocol === "https:" ? "wss:" : "ws:";

  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    headers: headers,
    subscriptionUrl: wsUrl.toString(),
  });

  var FIRST_QUERY = [
    "# Welcome to the Nexus GraphQL API.",
    "# Press the play button (Ctrl-Enter) to run this query; open the Docs",
    "# (the book icon) to explore every type and field.",
    "{",
    "  viewer { isAuthenticated user { handle name } }",
    "  questions(first: 5, sort: ACTIVE) {",
    "    edges { node { id title answerCount author { handle } } }",
    "    pageInfo { hasNextPage endCursor }",
    "  }",
    "}",
    "",
  ].join("\n");

  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: FIRST_QUERY,
      plugins: [explorer],
      shouldPersistHeaders: false,
    })
  );
})();
