import { Link, Route, Switch } from "wouter";
import { TrendingPanel } from "./components/TrendingPanel.tsx";
import { useSession } from "./components/useSession.ts";
import { SignOutButton } from "./components/SignOutButton.tsx";
import { BookPage } from "./pages/BookPage.tsx";
import { HomePage } from "./pages/HomePage.tsx";
import { RecommendationsPage } from "./pages/RecommendationsPage.tsx";
import { SearchPage } from "./pages/SearchPage.tsx";
import { SignInPage, SignUpPage } from "./pages/AccountPages.tsx";

export function App() {
  const session = useSession();
  return (
    <div className="app">
      <header className="top">
        <Link href="/" className="brand">Shelfgraph</Link>
        <nav>
          <Link href="/search">Search</Link>
          {session ? <Link href="/recommendations">For you</Link> : null}
          {session ? <SignOutButton /> : (
            <>
              <Link href="/signin">Sign in</Link>
              <Link href="/signup" className="primary">Sign up</Link>
            </>
          )}
          <a href="/playground">Playground</a>
        </nav>
      </header>
      <div className="layout">
        <main>
          <Switch>
            <Route path="/" component={HomePage} />
            <Route path="/books/:id">{(params) => <BookPage key={`${params.id}:${session?.userId ?? "anonymous"}`} id={params.id} />}</Route>
            <Route path="/search" component={SearchPage} />
            <Route path="/recommendations" component={RecommendationsPage} />
            <Route path="/signin" component={SignInPage} />
            <Route path="/signup" component={SignUpPage} />
            <Route><p>Nothing here. <Link href="/">Back to the start</Link>.</p></Route>
          </Switch>
        </main>
        <aside>
          <TrendingPanel />
        </aside>
      </div>
    </div>
  );
}
