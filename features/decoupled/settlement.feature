@decoupled @simulation @serial
Feature: Card purchases and the daily SEPA Direct Debit
  Card purchases may use the balance and the credit limit, never more. Every day (22:00 UTC on
  the mock's clock) a SEPA Direct Debit of the used amount is collected from the reference
  account and brings the balance back to zero: a booking on the card's account and its mirror
  on the reference account.

  Background:
    Given a German retail customer who agreed to every legal screen
    And the customer has a decoupled card with a limit of 500.00 EUR

  Scenario: Purchases use the limit and are settled from the reference account the same day
    When the customer pays 120.50 EUR with the card at "Bäckerei Klemm"
    And the customer pays 79.50 EUR with the card at "Bike shop"
    Then the account's balance is -200.00 EUR with a limit of 500.00 EUR
    And the available balance is 300.00 EUR
    And within 5 seconds the partner receives a BOOKING webhook for the customer whose "booking_type" is "CARD_TRANSACTION"
    When 1 day passes
    Then the account's balance is 0.00 EUR with a limit of 500.00 EUR
    And the account shows the bookings
      | booking type      | amount      |
      | CARD_TRANSACTION  | -120.50 EUR |
      | CARD_TRANSACTION  | -79.50 EUR  |
      | SEPA_DIRECT_DEBIT | 200.00 EUR  |
    And the reference account was debited 200.00 EUR by SEPA Direct Debit
    And within 5 seconds the partner receives a BOOKING webhook for the customer whose "booking_type" is "SEPA_DIRECT_DEBIT"

  Scenario: Over several days, each day's use is settled once
    When the customer pays 100.00 EUR with the card
    And 1 day passes
    And the customer pays 50.00 EUR with the card
    And 3 days pass
    Then the account's balance is 0.00 EUR with a limit of 500.00 EUR
    And the account shows the bookings
      | booking type      | amount      |
      | CARD_TRANSACTION  | -100.00 EUR |
      | SEPA_DIRECT_DEBIT | 100.00 EUR  |
      | CARD_TRANSACTION  | -50.00 EUR  |
      | SEPA_DIRECT_DEBIT | 50.00 EUR   |

  Scenario: A purchase beyond the balance plus the limit is declined
    When the customer pays 400.00 EUR with the card
    And the customer pays 100.01 EUR with the card
    Then the request is refused with status 400 and code "invalid_model" on field "amount"
    When the customer pays 100.00 EUR with the card
    Then the account's balance is -500.00 EUR with a limit of 500.00 EUR

  Scenario: A top-up is spent before the limit, and only the limit used is collected
    When the customer tops up 50.00 EUR from the reference account
    And the customer pays 80.00 EUR with the card
    Then the account's balance is -30.00 EUR with a limit of 500.00 EUR
    When 1 day passes
    Then the account shows the bookings
      | booking type         | amount     |
      | SEPA_CREDIT_TRANSFER | 50.00 EUR  |
      | CARD_TRANSACTION     | -80.00 EUR |
      | SEPA_DIRECT_DEBIT    | 30.00 EUR  |
