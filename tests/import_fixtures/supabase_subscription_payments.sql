-- Vercel/Supabase "Next.js Subscription Payments" starter (Stripe billing on Supabase).
-- Source: github.com/vercel/nextjs-subscription-payments, schema.sql, as published: users, customers,
-- products, prices, subscriptions, the pricing and subscription enum types, their policies and the
-- handle_new_user trigger on auth.users. Adapted for import of several schemas: the Stripe mirror tables live
-- in a `billing` schema (as teams that keep them apart from the app's own tables do), with a foreign key
-- from billing.customers to public.users across the two schemas and an index on subscriptions.user_id.
-- schemas: public billing

create table users (
  id uuid references auth.users not null primary key,
  full_name text,
  avatar_url text,
  billing_address jsonb,
  payment_method jsonb
);
alter table users enable row level security;
create policy "Can view own user data." on users for select using (auth.uid() = id);
create policy "Can update own user data." on users for update using (auth.uid() = id);

create function public.handle_new_user()
returns trigger as $$
begin
  insert into public.users (id, full_name, avatar_url)
  values (new.id, new.raw_user_meta_data->>'full_name', new.raw_user_meta_data->>'avatar_url');
  return new;
end;
$$ language plpgsql security definer;
create trigger on_auth_user_created
  after insert on auth.users
  for each row execute procedure public.handle_new_user();

create type pricing_type as enum ('one_time', 'recurring');
create type pricing_plan_interval as enum ('day', 'week', 'month', 'year');
create type subscription_status as enum ('trialing', 'active', 'canceled', 'incomplete', 'incomplete_expired', 'past_due', 'unpaid', 'paused');

create schema billing;

create table billing.customers (
  id uuid references public.users not null primary key,
  stripe_customer_id text
);
alter table billing.customers enable row level security;

create table billing.products (
  id text primary key,
  active boolean,
  name text,
  description text,
  image text,
  metadata jsonb
);
alter table billing.products enable row level security;
create policy "Allow public read-only access." on billing.products for select using (true);

create table billing.prices (
  id text primary key,
  product_id text references billing.products,
  active boolean,
  description text,
  unit_amount bigint,
  currency text check (char_length(currency) = 3),
  type pricing_type,
  interval pricing_plan_interval,
  interval_count integer,
  trial_period_days integer,
  metadata jsonb
);
alter table billing.prices enable row level security;
create policy "Allow public read-only access." on billing.prices for select using (true);

create table billing.subscriptions (
  id text primary key,
  user_id uuid references auth.users not null,
  status subscription_status,
  metadata jsonb,
  price_id text references billing.prices,
  quantity integer,
  cancel_at_period_end boolean,
  created timestamp with time zone default timezone('utc'::text, now()) not null,
  current_period_start timestamp with time zone default timezone('utc'::text, now()) not null,
  current_period_end timestamp with time zone default timezone('utc'::text, now()) not null,
  ended_at timestamp with time zone default timezone('utc'::text, now()),
  cancel_at timestamp with time zone default timezone('utc'::text, now()),
  canceled_at timestamp with time zone default timezone('utc'::text, now()),
  trial_start timestamp with time zone default timezone('utc'::text, now()),
  trial_end timestamp with time zone default timezone('utc'::text, now())
);
alter table billing.subscriptions enable row level security;
create policy "Can only view own subs data." on billing.subscriptions for select using (auth.uid() = user_id);
create index subscriptions_user_id_idx on billing.subscriptions (user_id);
